import assert from "node:assert/strict";
import { type Ordered, ReorderBuffer } from "./reorder.ts";
import type { RtpPacket } from "./packet.ts";

const pkt = (sequence: number): RtpPacket => ({
  payloadType: 96,
  marker: false,
  sequence,
  timestamp: 0,
  ssrc: 1,
  payload: new Uint8Array(0),
});

// [name, window, input seqs, expected [seq, lost] output, lost total]
const cases: [string, number, number[], [number, number][], number][] = [
  ["in order", 4, [1, 2, 3], [[1, 0], [2, 0], [3, 0]], 0],
  ["swap", 4, [1, 3, 2, 4], [[1, 0], [2, 0], [3, 0], [4, 0]], 0],
  ["wrap around", 4, [65534, 65535, 1, 0], [[65534, 0], [65535, 0], [0, 0], [1, 0]], 0],
  ["loss after window", 2, [1, 3, 4, 5], [[1, 0], [3, 1], [4, 0], [5, 0]], 1],
  ["duplicate and late dropped", 4, [5, 6, 6, 4, 7], [[5, 0], [6, 0], [7, 0]], 0],
  ["no window: gaps pass at once", 0, [1, 4, 5], [[1, 0], [4, 2], [5, 0]], 2],
  ["sender restart resyncs", 4, [10, 11, 40000, 40001], [[10, 0], [11, 0], [40000, 1], [40001, 0]], 0],
];

for (const [name, win, input, expected, lost] of cases) {
  Deno.test(`reorder: ${name}`, () => {
    const r = new ReorderBuffer(win);
    const out: Ordered[] = [];
    for (const s of input) r.push(pkt(s), out);
    assert.deepEqual(out.map((o) => [o.packet.sequence, o.lost]), expected);
    assert.equal(r.stats.lost, lost);
  });
}

Deno.test("reorder: flush releases held packets", () => {
  const r = new ReorderBuffer(10);
  const out: Ordered[] = [];
  for (const s of [1, 3, 5]) r.push(pkt(s), out);
  assert.equal(out.length, 1);
  r.flush(out);
  assert.deepEqual(out.map((o) => [o.packet.sequence, o.lost]), [[1, 0], [3, 1], [5, 1]]);
});
