import assert from "node:assert/strict";
import { isAbsolutePath, resolvePath } from "./paths.ts";

Deno.test("resolvePath: POSIX and Windows roots, absolute paths of both kept", () => {
  const cases: [string, string, string][] = [
    ["/opt/estuary", "rec", "/opt/estuary/rec"],
    ["/opt/estuary/", "logs", "/opt/estuary/logs"],
    ["/", "rec", "/rec"],
    ["/opt/estuary", "/var/rec", "/var/rec"],
    ["C:\\Estuary", "rec", "C:\\Estuary/rec"],
    ["C:\\Estuary\\", "html", "C:\\Estuary/html"],
    ["C:\\Estuary", "D:\\media\\rec", "D:\\media\\rec"],
    ["C:\\Estuary", "D:/media/rec", "D:/media/rec"],
    ["C:\\Estuary", "\\\\nas\\share\\rec", "\\\\nas\\share\\rec"],
    ["\\\\nas\\share\\estuary", "rec", "\\\\nas\\share\\estuary/rec"],
    ["C:\\Estuary", "vod\\films", "C:\\Estuary/vod\\films"],
  ];
  for (const [root, p, want] of cases) assert.equal(resolvePath(root, p), want, `${root} + ${p}`);
});

Deno.test("isAbsolutePath: drive letters need a separator (C:rec is relative to C:'s current folder)", () => {
  assert.equal(isAbsolutePath("C:rec"), false);
  assert.equal(isAbsolutePath("rec"), false);
  assert.equal(isAbsolutePath("./rec"), false);
  assert.equal(isAbsolutePath("c:\\rec"), true);
  assert.equal(isAbsolutePath("\\rec"), true);
});
