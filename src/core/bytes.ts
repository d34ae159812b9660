/**
 * Byte helpers shared by every format and protocol: joining parts and big-endian integers.
 * Readers take a plain Uint8Array and an offset (no DataView per call: the hot paths read a few
 * fields per packet); callers check the length first, as each format words its own error.
 */

/** Joins `parts` into one new buffer; `size` (their total length) saves a pass when known. */
export function concat(parts: readonly Uint8Array[], size?: number): Uint8Array {
  if (size === undefined) {
    size = 0;
    for (const p of parts) size += p.byteLength;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

export function readU16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function readU24(b: Uint8Array, o: number): number {
  return (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
}

/** A two's complement 24-bit value (FLV CompositionTime). */
export function readI24(b: Uint8Array, o: number): number {
  const v = readU24(b, o);
  return v & 0x800000 ? v - 0x1000000 : v;
}

export function readU32(b: Uint8Array, o: number): number {
  // `>>> 0` because `<< 24` of a byte ≥ 0x80 is negative in 32-bit arithmetic.
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

/** Also writes a negative value as two's complement (FLV CompositionTime). */
export function writeU24(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >> 16) & 0xff;
  b[o + 1] = (v >> 8) & 0xff;
  b[o + 2] = v & 0xff;
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >> 16) & 0xff;
  b[o + 2] = (v >> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** `v` as 4 new big-endian bytes (a message or box field on its own). */
export function u32Bytes(v: number): Uint8Array {
  const out = new Uint8Array(4);
  writeU32(out, 0, v);
  return out;
}
