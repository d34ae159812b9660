import assert from "node:assert/strict";
import { Bitstream } from "../bitstream.ts";
import { decodeScalefactorDelta, decodeSpectralTuple } from "../huffman.ts";
import { BitWriter } from "./bit_writer.ts";
import { countBits, DIM, LAV, writeScalefactor, writeTuples } from "./huffman.ts";

Deno.test("encoder Huffman: every codebook's tuples (escapes included) decode back, and the counted bits are the written bits", () => {
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) | 0) >>> 0;
  for (let cb = 1; cb <= 11; cb++) {
    const q = new Int32Array(512);
    for (let i = 0; i < q.length; i++) {
      const lav = cb === 11 ? (i % 7 === 0 ? 8191 : 40) : LAV[cb];
      const a = rnd() % (lav + 1);
      q[i] = rnd() & 1 ? -a : a;
    }
    const w = new BitWriter();
    writeTuples(w, q, 0, q.length, cb);
    assert.equal(w.position, countBits(q, 0, q.length, cb), `codebook ${cb}: counted bits`);
    w.align();
    const bs = new Bitstream(w.bytes());
    const out = new Int32Array(q.length);
    for (let k = 0; k < q.length; k += DIM[cb]) decodeSpectralTuple(bs, cb, out, k);
    assert.deepEqual(out, q, `codebook ${cb}`);
  }
});

Deno.test("encoder Huffman: scalefactor deltas −60..60 decode back", () => {
  const w = new BitWriter();
  for (let d = -60; d <= 60; d++) writeScalefactor(w, d);
  w.align();
  const bs = new Bitstream(w.bytes());
  for (let d = -60; d <= 60; d++) assert.equal(decodeScalefactorDelta(bs), d);
});
