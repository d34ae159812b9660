import assert from "node:assert/strict";
import { msgNext, MSGNO_MAX, randomSeq, SEQ_MAX, seqAdd, seqDiff, seqLess } from "./sequence.ts";

Deno.test("seqAdd wraps at 2^31 both ways", () => {
  const cases: [number, number, number][] = [
    [0, 1, 1],
    [SEQ_MAX, 1, 0],
    [SEQ_MAX - 1, 3, 1],
    [0, -1, SEQ_MAX],
    [5, -10, SEQ_MAX - 4],
    [100, 0, 100],
  ];
  for (const [s, n, want] of cases) assert.equal(seqAdd(s, n), want, `${s} + ${n}`);
});

Deno.test("seqDiff is the shortest signed distance", () => {
  const cases: [number, number, number][] = [
    [10, 20, 10],
    [20, 10, -10],
    [SEQ_MAX, 0, 1],
    [0, SEQ_MAX, -1],
    [SEQ_MAX - 5, 5, 11],
    [5, SEQ_MAX - 5, -11],
    [0, 0x3fffffff, 0x3fffffff],
    [0, 0x40000000, -0x40000000],
  ];
  for (const [a, b, want] of cases) assert.equal(seqDiff(a, b), want, `${a} → ${b}`);
  assert.ok(seqLess(SEQ_MAX, 3));
  assert.ok(!seqLess(3, SEQ_MAX));
  assert.ok(!seqLess(7, 7));
});

Deno.test("msgNext skips 0 after the 26-bit maximum", () => {
  assert.equal(msgNext(1), 2);
  assert.equal(msgNext(MSGNO_MAX), 1);
});

Deno.test("randomSeq stays below 2^31 - 1", () => {
  for (let i = 0; i < 1000; i++) {
    const s = randomSeq();
    assert.ok(s >= 0 && s < SEQ_MAX);
  }
});
