import assert from "node:assert/strict";
import { Bitstream } from "./bitstream.ts";
import { AacError } from "./errors.ts";
import { decodeScalefactorDelta, decodeSpectralTuple, tupleSize } from "./huffman.ts";
import {
  SCALEFACTOR_CODES,
  SCALEFACTOR_LENGTHS,
  SPECTRAL_CODES,
  SPECTRAL_LENGTHS,
} from "./huffman_tables.ts";

/** Packs (code, length) pairs MSB first. */
function pack(words: [number, number][]): Uint8Array {
  const bits: number[] = [];
  for (const [code, len] of words) for (let b = len - 1; b >= 0; b--) bits.push((code >>> b) & 1);
  const out = new Uint8Array(Math.ceil(bits.length / 8) + 4);
  bits.forEach((b, i) => out[i >> 3] |= b << (7 - (i & 7)));
  return out;
}

Deno.test("Huffman: every scalefactor code word decodes to its delta", () => {
  assert.equal(SCALEFACTOR_CODES.length, 121);
  const bs = new Bitstream(pack(SCALEFACTOR_CODES.map((c, i) => [c, SCALEFACTOR_LENGTHS[i]])));
  for (let i = 0; i < 121; i++) assert.equal(decodeScalefactorDelta(bs), i - 60);
});

// Table 4.A.2..4.A.12 sizes: 81 quadruples (1–4), 81 (5, 6), 64 (7, 8), 169 (9, 10), 289 (11).
const sizes = [0, 81, 81, 81, 81, 81, 81, 64, 64, 169, 169, 289];

for (let cb = 1; cb <= 11; cb++) {
  Deno.test(`Huffman: spectral codebook ${cb} decodes each code word to its tuple`, () => {
    const codes = SPECTRAL_CODES[cb];
    assert.equal(codes.length, sizes[cb]);
    const dim = tupleSize(cb);
    const unsigned = cb >= 3 && cb !== 5 && cb !== 6;
    // Unsigned codebooks follow each code word with one sign bit per non-zero value: send 0 (+).
    // Codebook 11's escape value 16 is followed by an escape: send "0" + 4 bits 0000 (= 16).
    for (let index = 0; index < codes.length; index++) {
      const words: [number, number][] = [[codes[index], SPECTRAL_LENGTHS[cb][index]]];
      const out = new Int32Array(4);
      const probe = new Bitstream(pack(words));
      decodeSpectralTuple(probe, cb, out, 0); // sign bits read as 0 from the padding
      const values = Array.from(out.subarray(0, dim));
      if (unsigned) {
        for (const v of values) if (v !== 0) words.push([0, 1]);
        if (cb === 11) { for (const v of values) if (v === 16) words.push([0, 5]); }
      }
      const bs = new Bitstream(pack(words));
      decodeSpectralTuple(bs, cb, out, 0);
      const expect = expected(cb, index);
      assert.deepEqual(Array.from(out.subarray(0, dim)), expect, `codebook ${cb} index ${index}`);
      assert.equal(bs.position, words.reduce((n, [, l]) => n + l, 0));
    }
  });
}

/** The tuple of an index per §4.6.3.3 (the spec's own arithmetic, written independently). */
function expected(cb: number, index: number): number[] {
  if (cb <= 4) {
    const off = cb <= 2 ? 1 : 0;
    return [Math.floor(index / 27), Math.floor(index / 9) % 3, Math.floor(index / 3) % 3, index % 3].map((
      v,
    ) => v - off);
  }
  const lav = [0, 0, 0, 0, 0, 4, 4, 7, 7, 12, 12, 16][cb];
  const signed = cb <= 6;
  const mod = signed ? 2 * lav + 1 : lav + 1;
  const off = signed ? lav : 0;
  return [Math.floor(index / mod) - off, (index % mod) - off];
}

Deno.test("Huffman: a code word cut off by the end of the access unit is an AacError", () => {
  // 0xff: eight ones, the start of a 19-bit scalefactor code word.
  const bs = new Bitstream(new Uint8Array([0xff]));
  assert.throws(() => decodeScalefactorDelta(bs), (e) => e instanceof AacError && /hcod_sf/.test(e.message));
});

Deno.test("Huffman: an escape longer than 8191 is an AacError", () => {
  // Codebook 11 index 16*17+0 → (16, 0), sign bit 0, then nine escape-prefix ones.
  const i = 16 * 17;
  const bs = new Bitstream(
    pack([[SPECTRAL_CODES[11][i], SPECTRAL_LENGTHS[11][i]], [0, 1], [0x1ff, 9], [0, 8]]),
  );
  assert.throws(() => decodeSpectralTuple(bs, 11, new Int32Array(2), 0), /more than 8 ones/);
});
