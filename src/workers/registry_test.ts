import assert from "node:assert/strict";
import { StreamBusyError } from "../core/mod.ts";
import { WorkerRegistry } from "./registry.ts";

const w = (index: number, relayPort = 40000 + index) => ({
  index,
  pid: 100 + index,
  relayPort,
  controlPort: 0,
});

Deno.test("registry: a claim says which worker publishes a key; another worker's claim is busy", () => {
  const r = new WorkerRegistry();
  r.join(w(0));
  r.join(w(1));
  r.claim("live/a", 0);
  assert.deepEqual(r.holder("live/a"), { key: "live/a", worker: 0, relayPort: 40000 });
  assert.throws(() => r.claim("live/a", 1), StreamBusyError);
  r.claim("live/a", 0); // the holder again: no change
  assert.equal(r.holder("live/b"), undefined);
  // The protocol it is published over travels with the claim (the relay offers it as its worker does).
  r.claim("live/cam", 1, "rtsp");
  assert.deepEqual(r.claims().find((c) => c.key === "live/cam"), {
    key: "live/cam",
    worker: 1,
    relayPort: 40001,
    from: "rtsp",
  });
});

Deno.test("registry: release only by the holder", () => {
  const r = new WorkerRegistry();
  r.join(w(0));
  r.join(w(1));
  r.claim("live/a", 0);
  assert.equal(r.release("live/a", 1), false);
  assert.equal(r.holder("live/a")?.worker, 0);
  assert.equal(r.release("live/a", 0), true);
  assert.equal(r.holder("live/a"), undefined);
  r.claim("live/a", 1);
  assert.equal(r.holder("live/a")?.worker, 1);
});

Deno.test("registry: a worker that leaves or rejoins (restart) frees its claims", () => {
  const r = new WorkerRegistry();
  r.join(w(0));
  r.join(w(1));
  r.claim("live/a", 0);
  r.claim("live/b", 1);
  assert.deepEqual(r.leave(0), ["live/a"]);
  assert.equal(r.holder("live/a"), undefined);
  assert.deepEqual(r.claims(), [{ key: "live/b", worker: 1, relayPort: 40001 }]);
  // Worker 1 restarts on a new relay port: its old claim is gone, the new entry is what siblings see.
  const known = r.join(w(1, 45001));
  assert.deepEqual(known, []);
  assert.deepEqual(r.workers().map((x) => [x.index, x.relayPort]), [[1, 45001]]);
});

Deno.test("registry: bad input is refused with the value and the rule", () => {
  const r = new WorkerRegistry();
  assert.throws(() => r.join(w(-1)), /worker index -1 is invalid: must be an integer ≥ 0/);
  assert.throws(() => r.claim("live/a", 3), /worker 3 cannot claim live\/a: it has not joined/);
});
