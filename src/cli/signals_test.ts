import assert from "node:assert/strict";
import { onSignals, signalsFor } from "./signals.ts";

Deno.test("signalsFor: Windows stops on SIGINT and SIGBREAK and has no SIGHUP or SIGTERM listener", () => {
  assert.deepEqual(signalsFor("windows"), { stop: ["SIGINT", "SIGBREAK"], reload: [] });
  for (const os of ["linux", "darwin", "freebsd"] as const) {
    assert.deepEqual(signalsFor(os), { stop: ["SIGINT", "SIGTERM"], reload: ["SIGHUP"] }, os);
  }
});

Deno.test({
  name: "onSignals: SIGHUP reloads and SIGTERM stops this process; removal lets go of them",
  ignore: Deno.build.os === "windows",
  async fn() {
    const seen: string[] = [];
    // Signal listeners do not keep the event loop alive: a timer does, and bounds the wait.
    const guard = setTimeout(() => resolve(), 5000);
    let resolve!: () => void;
    let done = new Promise<void>((r) => resolve = r);
    const remove = onSignals({
      stop: (s) => (seen.push(`stop ${s}`), resolve()),
      reload: (s) => (seen.push(`reload ${s}`), resolve()),
    });
    try {
      Deno.kill(Deno.pid, "SIGHUP");
      await done;
      done = new Promise<void>((r) => resolve = r);
      Deno.kill(Deno.pid, "SIGTERM");
      await done;
      assert.deepEqual(seen, ["reload SIGHUP", "stop SIGTERM"]);
    } finally {
      remove();
      clearTimeout(guard);
    }
  },
});

Deno.test("onSignals: a signal the runtime refuses is skipped and reported; the others are installed", () => {
  const added: string[] = [];
  const refused: string[] = [];
  const api = {
    add(s: Deno.Signal) {
      if (s === "SIGBREAK") throw new TypeError(`Invalid signal: ${s}`);
      added.push(s);
    },
    remove(s: Deno.Signal) {
      added.splice(added.indexOf(s), 1);
    },
  };
  const remove = onSignals(
    {
      stop() {},
      reload() {},
      refused: (s, err) => refused.push(`${s}: ${err.message}`),
    },
    "windows",
    api,
  );
  assert.deepEqual(added, ["SIGINT"]);
  assert.deepEqual(refused, ["SIGBREAK: Invalid signal: SIGBREAK"]);
  remove();
  assert.deepEqual(added, []);
});
