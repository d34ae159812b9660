import assert from "node:assert/strict";
import { Sender } from "./sender.ts";
import { decodePacket, encodeDataPacket, KeyFlag, Position } from "./packet.ts";
import { SEQ_MAX } from "./sequence.ts";

const MS = 1000;

function setup(isn = 10, flowWindow = 100) {
  return new Sender({
    isn,
    peerLatencyMs: 120,
    flowWindow,
    tooLateDrop: true,
    encode: (seq, msgNo, submitUs, payload) =>
      encodeDataPacket({
        seq,
        msgNo,
        position: Position.Solo,
        inOrder: false,
        key: KeyFlag.None,
        retransmitted: false,
        timestamp: submitUs,
        destId: 1,
        payload,
      }),
  });
}

function drain(s: Sender, now: number, gap = 0) {
  const out: { seq: number; r: boolean }[] = [];
  for (let b; (b = s.next(now, gap));) {
    const p = decodePacket(b);
    if (!p.control) out.push({ seq: p.seq, r: p.retransmitted });
  }
  return out;
}

Deno.test("new packets go out in order; ACK releases them", () => {
  const s = setup();
  for (let i = 0; i < 3; i++) s.push(new Uint8Array([i]), 0);
  assert.deepEqual(drain(s, 0), [{ seq: 10, r: false }, { seq: 11, r: false }, { seq: 12, r: false }]);
  assert.equal(s.inFlight, 3);
  s.onAck(12);
  assert.equal(s.buffered, 1);
  assert.equal(s.stats.packets, 3);
});

Deno.test("NAKed packets are resent first, with the R flag, and not again within the gap", () => {
  const s = setup();
  for (let i = 0; i < 5; i++) s.push(new Uint8Array([i]), 0);
  drain(s, 0);
  s.push(new Uint8Array([5]), 0);
  assert.deepEqual(s.onNak([[11, 12]]), []);
  assert.deepEqual(drain(s, 1 * MS, 10 * MS), [{ seq: 11, r: true }, { seq: 12, r: true }, {
    seq: 15,
    r: false,
  }]);
  s.onNak([[11, 11]]);
  assert.deepEqual(drain(s, 2 * MS, 10 * MS), [], "resent 1 ms ago: wait");
  assert.deepEqual(drain(s, 20 * MS, 10 * MS), [{ seq: 11, r: true }]);
  assert.equal(s.stats.retransmits, 3);
  assert.equal(s.stats.lossReported, 3);
});

Deno.test("NAKs for packets already released come back for a DROPREQ; bogus ones are ignored", () => {
  const s = setup();
  for (let i = 0; i < 5; i++) s.push(new Uint8Array([i]), 0);
  drain(s, 0);
  s.onAck(13);
  assert.deepEqual(s.onNak([[11, 14]]), [[11, 12]]);
  assert.deepEqual(drain(s, 1 * MS), [{ seq: 13, r: true }, { seq: 14, r: true }]);
  assert.deepEqual(s.onNak([[100, 200]]), [], "never sent");
  assert.deepEqual(s.onNak([[14, 13]]), [], "reversed range");
});

Deno.test("the flow window (and the peer's free buffer) limits packets in flight", () => {
  const s = setup(10, 2);
  for (let i = 0; i < 5; i++) s.push(new Uint8Array([i]), 0);
  assert.equal(drain(s, 0).length, 2);
  assert.equal(s.unsent, 3);
  s.onAck(12, 8192);
  assert.equal(drain(s, 0).length, 2);
  s.onAck(14, 0);
  assert.equal(drain(s, 0).length, 1, "window floor of 2 keeps things moving");
});

Deno.test("too-late drop: packets older than max(1 s, 1.25 × latency) leave the buffer", () => {
  const s = setup();
  s.push(new Uint8Array([0]), 0);
  s.push(new Uint8Array([1]), 500 * MS);
  drain(s, 500 * MS);
  assert.equal(s.dropTooLate(999 * MS), 0);
  assert.equal(s.dropTooLate(1001 * MS), 1);
  assert.equal(s.buffered, 1);
  assert.deepEqual(s.onNak([[10, 10]]), [[10, 10]]);
});

Deno.test("sequence numbers wrap; resendUnacked marks old unacknowledged packets lost", () => {
  const s = setup(SEQ_MAX);
  s.push(new Uint8Array([0]), 0);
  s.push(new Uint8Array([1]), 0);
  assert.deepEqual(drain(s, 0).map((p) => p.seq), [SEQ_MAX, 0]);
  s.onAck(0);
  assert.equal(s.buffered, 1);
  assert.equal(s.resendUnacked(100 * MS, 50 * MS), 1);
  assert.deepEqual(drain(s, 100 * MS), [{ seq: 0, r: true }]);
});

Deno.test("acknowledged and dropped packets are let go at once, not kept until the buffer is compacted", () => {
  const s = setup(10, 5000);
  for (let i = 0; i < 1500; i++) s.push(new Uint8Array(1316), 0);
  drain(s, 0);
  assert.equal(s.heldPackets, 1500);
  s.onAck(10 + 1000);
  assert.equal(s.buffered, 500);
  assert.equal(s.heldPackets, 500, "the 1,000 acknowledged packets (1.3 MB) are not referenced any more");
  s.dropTooLate(5_000 * MS);
  assert.equal(s.heldPackets, 0);
});
