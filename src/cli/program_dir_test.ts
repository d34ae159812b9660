import assert from "node:assert/strict";
import { fileUrlToPath, programDir, projectUrl } from "./program_dir.ts";

Deno.test("programDir: from source, main.ts's folder as a path of the OS (drive letters, UNC, spaces)", () => {
  const cases: [string, typeof Deno.build.os, string][] = [
    ["file:///opt/estuary/main.ts", "linux", "/opt/estuary"],
    ["file:///Users/ana/My%20Apps/estuary/main.ts", "darwin", "/Users/ana/My Apps/estuary"],
    ["file:///C:/Program%20Files/Estuary/main.ts", "windows", "C:\\Program Files\\Estuary"],
    ["file:///C:/main.ts", "windows", "C:\\"],
    ["file://nas/share/estuary/main.ts", "windows", "\\\\nas\\share\\estuary"],
  ];
  for (const [mainUrl, os, want] of cases) {
    assert.equal(programDir({ mainUrl, execPath: "/usr/bin/deno", standalone: false, os }), want, mainUrl);
  }
});

Deno.test("programDir: compiled, the executable's folder, never the embedded file system", () => {
  const cases: [string, string, typeof Deno.build.os, string][] = [
    ["file:///tmp/deno-compile-estuary/main.ts", "/opt/estuary/estuary", "linux", "/opt/estuary"],
    [
      "file:///C:/Users/ana/AppData/Local/Temp/deno-compile-estuary.exe/main.ts",
      "C:\\Estuary\\estuary.exe",
      "windows",
      "C:\\Estuary",
    ],
    ["file:///x/main.ts", "\\\\nas\\tools\\estuary.exe", "windows", "\\\\nas\\tools"],
    ["file:///x/main.ts", "/Applications/Estuary/estuary", "darwin", "/Applications/Estuary"],
  ];
  for (const [mainUrl, execPath, os, want] of cases) {
    assert.equal(programDir({ mainUrl, execPath, standalone: true, os }), want, execPath);
  }
});

Deno.test("fileUrlToPath: refuses other schemes", () => {
  assert.throws(() => fileUrlToPath("https://example.com/main.ts", "linux"), /not a file: URL/);
});

Deno.test("programDir: the server bundle (dist/run/main.js) resolves to the project folder, as main.ts does", () => {
  const cases: [string, typeof Deno.build.os, string][] = [
    ["file:///opt/estuary/dist/run/main.js", "linux", "/opt/estuary"],
    ["file:///C:/Program%20Files/estuary/dist/run/main.js", "windows", "C:\\Program Files\\estuary"],
    ["file:///opt/estuary/main.ts", "linux", "/opt/estuary"],
    ["file:///opt/estuary/dist/main.js", "linux", "/opt/estuary/dist"],
  ];
  for (const [mainUrl, os, want] of cases) {
    assert.equal(programDir({ mainUrl, execPath: "/usr/bin/deno", standalone: false, os }), want, mainUrl);
  }
  assert.equal(projectUrl("file:///opt/estuary/dist/run/main.js").href, "file:///opt/estuary/");
});
