import assert from "node:assert/strict";
import { ownCommandLine, workerCommand } from "./supervisor.ts";

Deno.test("worker command: the supervisor's own command line, flags and all", () => {
  const c = ownCommandLine(() =>
    "deno\0run\0-A\0--v8-flags=--max-semi-space-size=2\0/app/main.ts\0--root\0/srv\0"
  );
  assert.deepEqual(c, {
    command: Deno.execPath(),
    args: ["run", "-A", "--v8-flags=--max-semi-space-size=2", "/app/main.ts", "--root", "/srv"],
  });
  assert.equal(
    ownCommandLine(() => {
      throw new Error("no /proc");
    }),
    undefined,
  );
});

Deno.test("worker command without /proc: the executable, or deno run with the granted permissions", () => {
  assert.deepEqual(
    workerCommand({
      execPath: "/opt/estuary",
      standalone: true,
      mainModule: "file:///x/main.ts",
      args: ["--root", "/srv"],
      permissions: [],
    }),
    { command: "/opt/estuary", args: ["--root", "/srv"] },
  );
  assert.deepEqual(
    workerCommand({
      execPath: "/usr/bin/deno",
      standalone: false,
      mainModule: "file:///x/main.ts",
      args: ["--root", "/srv"],
      permissions: ["--allow-net", "--allow-read"],
      configFile: "/x/deno.json",
    }),
    {
      command: "/usr/bin/deno",
      args: [
        "run",
        "--allow-net",
        "--allow-read",
        "--config",
        "/x/deno.json",
        "/x/main.ts",
        "--root",
        "/srv",
      ],
    },
  );
});
