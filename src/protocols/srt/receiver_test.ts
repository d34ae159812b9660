import assert from "node:assert/strict";
import { Receiver } from "./receiver.ts";
import { SEQ_MAX } from "./sequence.ts";

const MS = 1000;

function setup(isn = 100, latencyMs = 120, tooLateDrop = true) {
  const out: number[] = [];
  const r = new Receiver({
    isn,
    latencyMs,
    timeBaseUs: 0,
    baseTimestamp: 0,
    tooLateDrop,
    capacity: 64,
    deliver: (p) => out.push(p[0]),
  });
  // Payload byte 0 = sequence number's low byte, timestamp = (seq - isn) ms.
  const send = (seq: number, now: number, retransmitted = false) =>
    r.push(
      seq,
      ((seq - isn + (SEQ_MAX + 1)) % (SEQ_MAX + 1)) * MS,
      new Uint8Array([seq & 0xff]),
      retransmitted,
      now,
    );
  return { r, out, send };
}

Deno.test("TSBPD: packets are released at timestamp + latency, in order", () => {
  const { r, out, send } = setup();
  send(100, 0);
  send(101, 1 * MS);
  send(102, 2 * MS);
  r.tick(119 * MS);
  assert.deepEqual(out, []);
  r.tick(120 * MS);
  assert.deepEqual(out, [100]);
  r.tick(200 * MS);
  assert.deepEqual(out, [100, 101, 102]);
  assert.equal(r.stats.delivered, 3);
});

Deno.test("a gap is reported once, then filled by a retransmission before its play time", () => {
  const { r, out, send } = setup();
  assert.equal(send(100, 0), undefined);
  assert.deepEqual(send(103, 3 * MS), [101, 102]);
  assert.equal(r.ackSeq(), 101);
  assert.deepEqual(r.lossRanges(), [[101, 102]]);
  send(101, 20 * MS, true);
  assert.deepEqual(r.lossRanges(), [[102, 102]]);
  assert.equal(r.ackSeq(), 102);
  send(102, 30 * MS, true);
  assert.equal(r.ackSeq(), 104);
  assert.deepEqual(r.lossRanges(), []);
  r.tick(500 * MS);
  assert.deepEqual(out, [100, 101, 102, 103]);
  assert.deepEqual([r.stats.lost, r.stats.retransmitted, r.stats.dropped], [2, 2, 0]);
});

Deno.test("too-late drop skips a hole once its successor is due; belated packets are counted", () => {
  const { r, out, send } = setup();
  send(100, 0);
  send(102, 2 * MS);
  r.tick(121 * MS); // 100 delivered; 101 missing, 102 due at 122 ms
  assert.deepEqual(out, [100]);
  r.tick(122 * MS);
  assert.deepEqual(out, [100, 102]);
  assert.equal(r.stats.dropped, 1);
  assert.equal(r.ackSeq(), 103, "the ACK moves past the dropped packet");
  send(101, 130 * MS, true);
  assert.equal(r.stats.belated, 1);
});

Deno.test("without TLPKTDROP a hole blocks delivery", () => {
  const { r, out, send } = setup(100, 120, false);
  send(100, 0);
  send(102, 2 * MS);
  r.tick(1000 * MS);
  assert.deepEqual(out, [100]);
});

Deno.test("sequence numbers wrap at 2^31", () => {
  const isn = SEQ_MAX - 1;
  const { r, out, send } = setup(isn);
  send(SEQ_MAX - 1, 0);
  assert.deepEqual(send(1, 3 * MS), [SEQ_MAX, 0]);
  assert.deepEqual(r.lossRanges(), [[SEQ_MAX, 0]]);
  send(SEQ_MAX, 4 * MS, true);
  send(0, 5 * MS, true);
  assert.equal(r.ackSeq(), 2);
  r.tick(500 * MS);
  assert.deepEqual(out, [0xfe, 0xff, 0, 1]);
});

Deno.test("duplicates and packets beyond the window are ignored", () => {
  const { r, out, send } = setup();
  send(100, 0);
  send(100, 0);
  assert.equal(r.stats.duplicates, 1);
  assert.equal(send(100 + 64, 0), undefined, "beyond capacity");
  assert.equal(r.stats.packets, 1);
  r.tick(500 * MS);
  assert.deepEqual(out, [100]);
});

Deno.test("DROPREQ fills holes so delivery and ACK move on", () => {
  const { r, out, send } = setup();
  send(100, 0);
  send(104, 4 * MS);
  r.dropRange(101, 103);
  assert.equal(r.ackSeq(), 105);
  r.tick(200 * MS);
  assert.deepEqual(out, [100, 104]);
  assert.equal(r.stats.dropped, 3);
});

Deno.test("undecryptable packets are acknowledged but never delivered", () => {
  const { r, out } = setup();
  r.push(100, 0, undefined, false, 0);
  assert.equal(r.ackSeq(), 101);
  r.tick(500 * MS);
  assert.deepEqual(out, []);
  assert.equal(r.stats.undecrypted, 1);
});

Deno.test("timestamps unwrap across 2^32 µs", () => {
  const out: number[] = [];
  const r = new Receiver({
    isn: 0,
    latencyMs: 100,
    timeBaseUs: 0,
    baseTimestamp: 0xffff0000,
    tooLateDrop: true,
    deliver: (p) => out.push(p[0]),
  });
  r.push(0, 0xfffff000, new Uint8Array([1]), false, 0);
  r.push(1, 0x00001000, new Uint8Array([2]), false, 0); // after the wrap: 2^32 + 0x1000
  r.tick(0xfffff000 + 100_000);
  assert.deepEqual(out, [1]);
  r.tick(2 ** 32 + 0x1000 + 100_000);
  assert.deepEqual(out, [1, 2]);
});

Deno.test("flush delivers what is held, skipping holes", () => {
  const { r, out, send } = setup();
  send(100, 0);
  send(102, 0);
  r.flush();
  assert.deepEqual(out, [100, 102]);
  assert.equal(r.buffered, 0);
});
