/**
 * Huffman decoding of scalefactors and spectral tuples (ISO/IEC 14496-3 §4.6.3, §4.A.1).
 * Each codebook is turned at load into a binary tree in a flat Int32Array: node i has children at
 * [2i] (bit 0) and [2i+1] (bit 1); a negative entry is a leaf holding ~index.
 */
import type { Bitstream } from "./bitstream.ts";
import { AacError } from "./errors.ts";
import {
  SCALEFACTOR_CODES,
  SCALEFACTOR_LENGTHS,
  SPECTRAL_CODES,
  SPECTRAL_LENGTHS,
} from "./huffman_tables.ts";

function buildTree(codes: readonly number[], lengths: readonly number[], name: string): Int32Array {
  // A complete prefix code over n symbols has n - 1 internal nodes.
  const tree = new Int32Array(2 * codes.length).fill(0);
  let nodes = 1;
  for (let sym = 0; sym < codes.length; sym++) {
    const len = lengths[sym];
    let node = 0;
    for (let b = len - 1; b >= 0; b--) {
      const slot = 2 * node + ((codes[sym] >>> b) & 1);
      if (b === 0) {
        if (tree[slot] !== 0) throw new Error(`${name}: code ${sym} collides`);
        tree[slot] = ~sym;
      } else {
        if (tree[slot] < 0) throw new Error(`${name}: code ${sym} is not prefix-free`);
        if (tree[slot] === 0) tree[slot] = nodes++;
        node = tree[slot];
      }
    }
  }
  return tree;
}

function walk(tree: Int32Array, bs: Bitstream, field: string): number {
  let node = 0;
  // Depth is bounded by the longest code (19 bits); an unused slot (0) means an invalid code.
  for (let depth = 0; depth < 20; depth++) {
    const next = tree[2 * node + bs.bit(field)];
    if (next < 0) return ~next;
    if (next === 0) break;
    node = next;
  }
  throw new AacError(`AAC ${field}: code word at bit ${bs.position} is invalid: not in the codebook`);
}

const SCALEFACTOR_TREE = buildTree(SCALEFACTOR_CODES, SCALEFACTOR_LENGTHS, "scalefactor codebook");
const SPECTRAL_TREES = SPECTRAL_CODES.map((codes, i) =>
  i === 0 ? new Int32Array(0) : buildTree(codes, SPECTRAL_LENGTHS[i], `spectral codebook ${i}`)
);

/** hcod_sf: a scalefactor delta, -60..60. */
export function decodeScalefactorDelta(bs: Bitstream): number {
  return walk(SCALEFACTOR_TREE, bs, "hcod_sf") - 60;
}

/** Per codebook: values per code word, signed (else sign bits follow), largest absolute value. */
const DIM = [0, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2];
const SIGNED = [false, true, true, false, false, true, true, false, false, false, false, false];
const LAV = [0, 1, 1, 2, 2, 4, 4, 7, 7, 12, 12, 16];

/** Values per code word of spectral codebook cb (1..11). */
export function tupleSize(cb: number): number {
  return DIM[cb];
}

/**
 * Decodes one spectral code word of codebook cb (1..11) into out[at..at+dim), with its sign bits
 * and, for codebook 11, its escape sequences (§4.6.3.3).
 */
export function decodeSpectralTuple(bs: Bitstream, cb: number, out: Int32Array, at: number): void {
  const index = walk(SPECTRAL_TREES[cb], bs, `hcod (spectral codebook ${cb})`);
  const signed = SIGNED[cb];
  const lav = LAV[cb];
  if (DIM[cb] === 4) {
    // Codebooks 1..4: index = w*27 + x*9 + y*3 + z, offset by 1 for the signed ones.
    const off = signed ? 1 : 0;
    out[at] = ((index / 27) | 0) - off;
    out[at + 1] = (((index / 9) | 0) % 3) - off;
    out[at + 2] = (((index / 3) | 0) % 3) - off;
    out[at + 3] = (index % 3) - off;
  } else {
    const mod = signed ? 2 * lav + 1 : lav + 1;
    const off = signed ? lav : 0;
    out[at] = ((index / mod) | 0) - off;
    out[at + 1] = (index % mod) - off;
  }
  if (signed) return;
  const dim = DIM[cb];
  for (let i = 0; i < dim; i++) {
    if (out[at + i] !== 0 && bs.bit("sign_bits") === 1) out[at + i] = -out[at + i];
  }
  if (cb === 11) {
    for (let i = 0; i < 2; i++) {
      const v = out[at + i];
      if (v === 16 || v === -16) {
        const e = escape(bs);
        out[at + i] = v < 0 ? -e : e;
      }
    }
  }
}

/** hcod_esc: N ones, a zero, then N+4 bits: 2^(N+4) + those bits; at most 8191 (§4.6.3.3). */
function escape(bs: Bitstream): number {
  let n = 0;
  while (bs.bit("escape_prefix") === 1) {
    if (++n > 8) {
      throw new AacError(
        `AAC escape_prefix at bit ${bs.position} is invalid: more than 8 ones (value over 8191)`,
      );
    }
  }
  return (1 << (n + 4)) + bs.bits(n + 4, "escape_word");
}
