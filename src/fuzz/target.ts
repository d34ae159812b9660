/** What a fuzz target is: seeds from the parser's table tests, the call, and the errors it may throw. */

// deno-lint-ignore no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

export interface FuzzTarget {
  /** Short and stable: `--only` names it. */
  name: string;
  /** Inputs from the parser's table tests and testdata; every mutation starts from one of them. */
  seeds(): Uint8Array[];
  /**
   * Feeds one input to the real parser; state never outlives the call. Parsers that read from a
   * connection are async: they get a fake one and the promise must settle without real I/O.
   */
  run(input: Uint8Array): void | Promise<void>;
  /** The typed errors that are a refusal, not a bug. Anything else is a crasher. */
  accepted: readonly ErrorClass[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const utf8 = (s: string): Uint8Array => encoder.encode(s);
export const text = (b: Uint8Array): string => decoder.decode(b);

/** Several packets in one input: each is a 2-byte big-endian length and that many bytes. */
export function framed(packets: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of packets) size += 2 + Math.min(p.length, 0xffff);
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of packets) {
    const n = Math.min(p.length, 0xffff);
    out[o] = n >> 8;
    out[o + 1] = n & 0xff;
    out.set(p.subarray(0, n), o + 2);
    o += 2 + n;
  }
  return out;
}

/** The inverse of `framed`; a truncated last packet is kept as it is (mutations make those). */
export function unframe(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < b.length;) {
    const n = o + 1 < b.length ? (b[o] << 8) | b[o + 1] : 0;
    out.push(b.subarray(o + 2, Math.min(b.length, o + 2 + n)));
    o += 2 + n;
  }
  return out;
}
