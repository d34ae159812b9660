/**
 * Byte mutations of a seed input: the usual moves of mutation fuzzers (bit flips, interesting
 * values, range insert/delete/duplicate, splicing two seeds) plus length-field tweaks, because
 * every format we parse is full of big-endian length fields whose edges hide the bugs.
 */
import type { Prng } from "./prng.ts";

/** Values at the edges of signed and unsigned fields. */
const INTERESTING_8 = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x40, 0x10];
const INTERESTING_16 = [0x0000, 0xffff, 0x7fff, 0x8000, 0x0001, 0x00ff, 0x0100, 0xfffe];
const INTERESTING_32 = [0, 0xffffffff, 0x7fffffff, 0x80000000, 1, 0x00ffffff, 0x01000000];

/** No mutated input grows past this: the parsers' own size limits are tested by the seeds. */
export const MAX_INPUT = 256 * 1024;

type Mutation = (b: Uint8Array, r: Prng, seeds: readonly Uint8Array[]) => Uint8Array;

const flipBit: Mutation = (b, r) => {
  if (b.length === 0) return b;
  b[r.below(b.length)] ^= 1 << r.below(8);
  return b;
};

const setInteresting: Mutation = (b, r) => {
  if (b.length === 0) return b;
  b[r.below(b.length)] = r.pick(INTERESTING_8);
  return b;
};

const randomByte: Mutation = (b, r) => {
  if (b.length === 0) return new Uint8Array([r.below(256)]);
  b[r.below(b.length)] = r.below(256);
  return b;
};

/** Adds or subtracts a little from a 1-, 2- or 4-byte big-endian field, or sets it to an edge. */
const tweakLength: Mutation = (b, r) => {
  const width = r.pick([1, 2, 2, 4]);
  if (b.length < width) return b;
  const at = r.below(b.length - width + 1);
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + b[at + i];
  const max = 2 ** (8 * width);
  if (r.oneIn(3)) {
    v = width === 1 ? r.pick(INTERESTING_8) : width === 2 ? r.pick(INTERESTING_16) : r.pick(INTERESTING_32);
  } else v = (v + r.pick([-16, -4, -2, -1, 1, 2, 4, 16]) + max) % max;
  for (let i = width - 1; i >= 0; i--, v = Math.floor(v / 256)) b[at + i] = v & 0xff;
  return b;
};

const deleteRange: Mutation = (b, r) => {
  if (b.length < 2) return b;
  const at = r.below(b.length);
  const n = 1 + r.below(Math.min(64, b.length - at));
  const out = new Uint8Array(b.length - n);
  out.set(b.subarray(0, at));
  out.set(b.subarray(at + n), at);
  return out;
};

const insertRange: Mutation = (b, r) => {
  const n = 1 + r.below(32);
  const at = r.below(b.length + 1);
  const out = new Uint8Array(b.length + n);
  out.set(b.subarray(0, at));
  const fill = r.oneIn(2) ? r.pick(INTERESTING_8) : -1;
  for (let i = 0; i < n; i++) out[at + i] = fill >= 0 ? fill : r.below(256);
  out.set(b.subarray(at), at + n);
  return out;
};

const duplicateRange: Mutation = (b, r) => {
  if (b.length === 0) return b;
  const from = r.below(b.length);
  const n = 1 + r.below(Math.min(256, b.length - from));
  const at = r.below(b.length + 1);
  const out = new Uint8Array(b.length + n);
  out.set(b.subarray(0, at));
  out.set(b.subarray(from, from + n), at);
  out.set(b.subarray(at), at + n);
  return out;
};

/** The head of this input and the tail of another seed: mixes structures the table tests keep apart. */
const splice: Mutation = (b, r, seeds) => {
  const other = r.pick(seeds);
  if (other.length === 0) return b;
  const cut = r.below(b.length + 1);
  const from = r.below(other.length);
  const out = new Uint8Array(cut + other.length - from);
  out.set(b.subarray(0, cut));
  out.set(other.subarray(from), cut);
  return out;
};

const truncate: Mutation = (b, r) => b.subarray(0, r.below(b.length + 1));

const MUTATIONS: readonly Mutation[] = [
  flipBit,
  flipBit,
  setInteresting,
  setInteresting,
  randomByte,
  tweakLength,
  tweakLength,
  tweakLength,
  deleteRange,
  insertRange,
  duplicateRange,
  splice,
  truncate,
];

/** A fresh input: a copy of one seed with 1–8 stacked mutations. */
export function mutate(r: Prng, seeds: readonly Uint8Array[]): Uint8Array {
  let b: Uint8Array = r.pick(seeds).slice();
  const rounds = 1 + r.below(r.oneIn(4) ? 8 : 3);
  for (let i = 0; i < rounds; i++) {
    b = r.pick(MUTATIONS)(b, r, seeds);
    if (b.length > MAX_INPUT) b = b.subarray(0, MAX_INPUT);
  }
  return b;
}
