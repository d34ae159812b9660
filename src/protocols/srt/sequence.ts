/**
 * 31-bit packet sequence numbers and 26-bit message numbers (draft-sharabayko-srt §3.1), both of
 * which wrap. Comparisons use the shortest signed distance, as in UDT's CSeqNo.
 */

export const SEQ_MAX = 0x7fffffff;
const SEQ_SPAN = 0x80000000;
const SEQ_HALF = 0x40000000;

/** Message numbers run 1..MSGNO_MAX (0 is never used by libsrt). */
export const MSGNO_MAX = 0x03ffffff;

/** `seq + n` modulo 2^31 (n may be negative). */
export function seqAdd(seq: number, n: number): number {
  const v = (seq + n) % SEQ_SPAN;
  return v < 0 ? v + SEQ_SPAN : v;
}

/** The signed distance from `a` to `b` (`b - a`), in [-2^30, 2^30). */
export function seqDiff(a: number, b: number): number {
  let d = (b - a) % SEQ_SPAN;
  if (d < 0) d += SEQ_SPAN;
  return d >= SEQ_HALF ? d - SEQ_SPAN : d;
}

/** True when `a` comes before `b`. */
export function seqLess(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

/** The message number after `m`, skipping 0. */
export function msgNext(m: number): number {
  return m >= MSGNO_MAX ? 1 : m + 1;
}

/** A random initial sequence number in [0, 2^31 - 2] (libsrt rejects 0x7fffffff). */
export function randomSeq(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] % SEQ_MAX;
}
