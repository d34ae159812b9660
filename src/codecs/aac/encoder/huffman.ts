/**
 * Huffman coding of spectral tuples and scalefactor deltas (ISO/IEC 14496-3 §4.6.3, §4.A.1), the
 * encoder side: per codebook the code word and its length by tuple index, built at load from the
 * decoder's tables, bit counting for codebook selection, and writing.
 */
import {
  SCALEFACTOR_CODES,
  SCALEFACTOR_LENGTHS,
  SPECTRAL_CODES,
  SPECTRAL_LENGTHS,
} from "../huffman_tables.ts";
import type { BitWriter } from "./bit_writer.ts";

/** Per codebook 0..11: values per code word, signed (else sign bits follow), largest absolute value. */
export const DIM = [0, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2];
const SIGNED = [false, true, true, false, false, true, true, false, false, false, false, false];
export const LAV = [0, 1, 1, 2, 2, 4, 4, 7, 7, 12, 12, 16];

const CODES = SPECTRAL_CODES.map((c) => Uint32Array.from(c));
const LENGTHS = SPECTRAL_LENGTHS.map((l) => Uint8Array.from(l));
const SF_CODES = Uint32Array.from(SCALEFACTOR_CODES);
const SF_LENGTHS = Uint8Array.from(SCALEFACTOR_LENGTHS);

/** The smallest codebook whose values reach `maxAbs` (its pair partner is the next one up). */
export function smallestCodebook(maxAbs: number): number {
  if (maxAbs === 0) return 0;
  if (maxAbs <= 1) return 1;
  if (maxAbs <= 2) return 3;
  if (maxAbs <= 4) return 5;
  if (maxAbs <= 7) return 7;
  if (maxAbs <= 12) return 9;
  return 11;
}

/** Bits of an escape sequence for |v| ≥ 16: N ones, a zero and N+4 bits, 2^(N+4) ≤ |v| < 2^(N+5). */
function escapeBits(a: number): number {
  const n = 31 - Math.clz32(a) - 4;
  return 2 * n + 5;
}

/** The tuple index of values q[at..at+dim) in codebook cb (values clipped to 16 for codebook 11). */
function tupleIndex(q: Int32Array, at: number, cb: number): number {
  if (DIM[cb] === 4) {
    if (SIGNED[cb]) return (q[at] + 1) * 27 + (q[at + 1] + 1) * 9 + (q[at + 2] + 1) * 3 + (q[at + 3] + 1);
    return Math.abs(q[at]) * 27 + Math.abs(q[at + 1]) * 9 + Math.abs(q[at + 2]) * 3 + Math.abs(q[at + 3]);
  }
  if (SIGNED[cb]) return (q[at] + 4) * 9 + (q[at + 1] + 4);
  let a = Math.abs(q[at]);
  let b = Math.abs(q[at + 1]);
  if (cb === 11) {
    if (a > 16) a = 16;
    if (b > 16) b = 16;
    return a * 17 + b;
  }
  return a * (LAV[cb] + 1) + b;
}

/** Bits to code q[from..to) (a whole number of tuples) with codebook cb (1..11, all values within reach). */
export function countBits(q: Int32Array, from: number, to: number, cb: number): number {
  const dim = DIM[cb];
  const len = LENGTHS[cb];
  const signed = SIGNED[cb];
  let bits = 0;
  for (let k = from; k < to; k += dim) {
    bits += len[tupleIndex(q, k, cb)];
    if (signed) continue;
    for (let i = 0; i < dim; i++) {
      const a = Math.abs(q[k + i]);
      if (a !== 0) bits++;
      if (a >= 16 && cb === 11) bits += escapeBits(a);
    }
  }
  return bits;
}

/** Writes q[from..to) with codebook cb: code words, sign bits, escapes (the order the decoder reads). */
export function writeTuples(w: BitWriter, q: Int32Array, from: number, to: number, cb: number): void {
  const dim = DIM[cb];
  const signed = SIGNED[cb];
  for (let k = from; k < to; k += dim) {
    const idx = tupleIndex(q, k, cb);
    w.bits(CODES[cb][idx], LENGTHS[cb][idx]);
    if (signed) continue;
    for (let i = 0; i < dim; i++) if (q[k + i] !== 0) w.bits(q[k + i] < 0 ? 1 : 0, 1);
    if (cb !== 11) continue;
    for (let i = 0; i < 2; i++) {
      const a = Math.abs(q[k + i]);
      if (a < 16) continue;
      const n = 31 - Math.clz32(a) - 4;
      w.bits((1 << (n + 1)) - 2, n + 1); // n ones and a zero
      w.bits(a - (1 << (n + 4)), n + 4);
    }
  }
}

/** Bits of a scalefactor delta (−60..60). */
export function scalefactorBits(delta: number): number {
  return SF_LENGTHS[delta + 60];
}

export function writeScalefactor(w: BitWriter, delta: number): void {
  w.bits(SF_CODES[delta + 60], SF_LENGTHS[delta + 60]);
}
