/**
 * MPEG-4 audio RTP payload (RFC 3640, mpeg4-generic) in AAC-hbr mode: a 16-bit AU-headers-length,
 * one 16-bit AU header (13-bit size, 3-bit index/delta) per access unit, then the access units.
 * Several AUs may share a packet; an AU larger than the MTU is fragmented over several packets.
 */
import { ProtocolError } from "../../core/errors.ts";
import { concat } from "../../core/bytes.ts";

/** AU header field widths from the fmtp line (sizelength, indexlength, indexdeltalength). */
export interface AuHeaderLayout {
  sizeLength: number;
  indexLength: number;
  indexDeltaLength: number;
}

export const AAC_HBR: AuHeaderLayout = { sizeLength: 13, indexLength: 3, indexDeltaLength: 3 };

/**
 * The AU header field widths we accept. RFC 3640 3.3.6 leaves sizeLength 0 to `constantSize`, which
 * we do not receive, and 16 bits is the most any MPEG-4 audio mode uses; a width outside these
 * ranges could stop the header loop from advancing, so it is refused where the fmtp is read.
 */
const LAYOUT_RANGES: [keyof AuHeaderLayout, string, number, number][] = [
  ["sizeLength", "sizelength", 1, 16],
  ["indexLength", "indexlength", 0, 16],
  ["indexDeltaLength", "indexdeltalength", 0, 16],
];

/** Throws a ProtocolError naming the fmtp field, its value and the allowed range. */
export function checkAuHeaderLayout(layout: AuHeaderLayout): void {
  for (const [key, field, min, max] of LAYOUT_RANGES) {
    const v = layout[key];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new ProtocolError(`mpeg4-generic ${field} ${v} is invalid: must be an integer ${min}..${max}`);
    }
  }
}

/** Packs whole AUs into one payload (the caller keeps it under the MTU), AAC-hbr layout. */
export function aacPayload(aus: readonly Uint8Array[]): Uint8Array {
  let size = 2 + 2 * aus.length;
  for (const au of aus) size += au.length;
  const out = new Uint8Array(size);
  const headerBits = 16 * aus.length;
  out[0] = headerBits >> 8;
  out[1] = headerBits & 0xff;
  let h = 2, o = 2 + 2 * aus.length;
  for (const au of aus) {
    if (au.length >= 1 << 13) {
      throw new ProtocolError(`AAC access unit of ${au.length} bytes is invalid: must be under 8192`);
    }
    out[h] = au.length >> 5;
    out[h + 1] = (au.length & 0x1f) << 3; // index / index-delta 0
    out.set(au, o);
    h += 2;
    o += au.length;
  }
  return out;
}

/** One AU as payloads of at most `max` bytes: whole, or fragments that each repeat its full size. */
export function aacPayloads(au: Uint8Array, max: number): Uint8Array[] {
  if (au.length + 4 <= max) return [aacPayload([au])];
  const out: Uint8Array[] = [];
  const step = max - 4;
  for (let o = 0; o < au.length; o += step) {
    const end = Math.min(au.length, o + step);
    const p = new Uint8Array(4 + end - o);
    p[1] = 16;
    p[2] = au.length >> 5;
    p[3] = (au.length & 0x1f) << 3;
    p.set(au.subarray(o, end), 4);
    out.push(p);
  }
  return out;
}

/** Reads AU headers and access units; reassembles fragmented AUs across packets. */
export class AacUnpacker {
  #layout: AuHeaderLayout;
  #frag: Uint8Array[] = [];
  #fragSize = 0;
  #fragTotal = 0;
  corrupt = false;

  constructor(layout: AuHeaderLayout = AAC_HBR) {
    checkAuHeaderLayout(layout);
    this.#layout = layout;
  }

  /** Appends the complete AUs of one packet to `out` (in order; each is one AAC frame). */
  push(p: Uint8Array, marker: boolean, out: Uint8Array[]): void {
    if (p.length < 2) throw new ProtocolError(`mpeg4-generic payload of ${p.length} bytes is invalid`);
    const headerBits = (p[0] << 8) | p[1];
    const headerBytes = Math.ceil(headerBits / 8);
    if (2 + headerBytes > p.length) {
      throw new ProtocolError(
        `mpeg4-generic AU-headers-length ${headerBits} bits is invalid: the payload has ${p.length} bytes`,
      );
    }
    const { sizeLength, indexLength, indexDeltaLength } = this.#layout;
    const sizes: number[] = [];
    let bit = 16;
    const end = 16 + headerBits;
    // sizeLength >= 1 (checked above), so every header advances `bit` and at most
    // headerBits (< 65536) AUs come out of one packet.
    while (bit + sizeLength <= end) {
      sizes.push(readBits(p, bit, sizeLength));
      bit += sizeLength + (sizes.length === 1 ? indexLength : indexDeltaLength);
    }
    let o = 2 + headerBytes;
    const data = p.length - o;
    if (sizes.length === 1 && (this.#fragTotal > 0 || sizes[0] > data)) {
      this.#fragment(p.subarray(o), sizes[0], marker, out);
      return;
    }
    if (this.#fragTotal > 0) this.#dropFragment();
    for (const size of sizes) {
      if (o + size > p.length) {
        throw new ProtocolError(
          `mpeg4-generic AU size ${size} at offset ${o} is invalid: runs past the ${p.length}-byte payload`,
        );
      }
      // An empty AU decodes to nothing; skipping it bounds a packet's output by its bytes.
      if (size > 0) out.push(p.subarray(o, o + size));
      o += size;
    }
  }

  #fragment(part: Uint8Array, total: number, marker: boolean, out: Uint8Array[]): void {
    if (this.#fragTotal !== 0 && this.#fragTotal !== total) this.#dropFragment();
    this.#fragTotal = total;
    this.#frag.push(part);
    this.#fragSize += part.length;
    if (this.#fragSize > total) {
      this.#dropFragment();
      return;
    }
    if (marker || this.#fragSize === total) {
      if (this.#fragSize === total) out.push(concat(this.#frag, total));
      else this.corrupt = true;
      this.reset();
    }
  }

  #dropFragment(): void {
    this.corrupt = true;
    this.reset();
  }

  reset(): void {
    this.#frag = [];
    this.#fragSize = 0;
    this.#fragTotal = 0;
  }
}

function readBits(b: Uint8Array, bit: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++, bit++) v = v * 2 + ((b[bit >> 3] >> (7 - (bit & 7))) & 1);
  return v;
}
