import assert from "node:assert/strict";
import { RttEstimator } from "./rtt.ts";

Deno.test("RTT: first ACK/ACKACK sample sets it, later ones smooth it", () => {
  const r = new RttEstimator();
  assert.deepEqual([r.rttUs, r.varUs], [100_000, 50_000]);
  const a = r.nextAck(0, 500), b = r.nextAck(10_000, 600);
  assert.deepEqual([a, b], [1, 2]);
  assert.equal(r.onAckAck(a, 8_000), 500);
  assert.deepEqual([r.rttUs, r.varUs], [8_000, 4_000]);
  assert.equal(r.onAckAck(b, 26_000), 600); // sample 16 ms
  assert.deepEqual([r.rttUs, r.varUs], [9_000, 5_000]);
  assert.equal(r.onAckAck(a, 30_000), undefined, "already matched");
  assert.equal(r.onAckAck(99, 30_000), undefined, "never sent");
  assert.equal(r.timeoutUs, 29_000);
});

Deno.test("RTT: the sender smooths what the peer reports", () => {
  const r = new RttEstimator();
  r.fromPeer(20_000, 10_000);
  assert.deepEqual([r.rttUs, r.varUs], [90_000, 40_000]);
  r.fromPeer(0, 0);
  assert.deepEqual([r.rttUs, r.varUs], [90_000, 40_000], "zero means no estimate yet");
});
