/**
 * ISO BMFF boxes (ISO/IEC 14496-12 §4.2): small writers for the init segment, where clarity beats
 * speed, and a tiny parser used by tests and tools.
 */
import { concat as concatBytes, u32Bytes as u32 } from "../../core/bytes.ts";
import { ProtocolError } from "../../core/errors.ts";

// Under the names the box writers and their callers use.
export { concatBytes, u32 };

export function fourcc(type: string): Uint8Array {
  if (type.length !== 4) throw new RangeError(`box type "${type}" is invalid: must be 4 characters`);
  return Uint8Array.from(type, (c) => c.charCodeAt(0));
}

export function u8(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff);
}

export function u16(v: number): Uint8Array {
  return Uint8Array.of((v >> 8) & 0xff, v & 0xff);
}

export function u24(v: number): Uint8Array {
  return Uint8Array.of((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

export function u64(v: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(v));
  return out;
}

export function zeros(n: number): Uint8Array {
  return new Uint8Array(n);
}

/** A box: 32-bit size, type, payload. */
export function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const body = concatBytes(payload);
  return concatBytes([u32(8 + body.length), fourcc(type), body]);
}

/** A FullBox: a box whose payload starts with version (8 bits) and flags (24 bits). */
export function fullBox(type: string, version: number, flags: number, ...payload: Uint8Array[]): Uint8Array {
  return box(type, u8(version), u24(flags), ...payload);
}

/** Writes a box header (32-bit size) at `out[offset]`; returns the offset after it. */
export function writeBoxHeader(out: Uint8Array, offset: number, size: number, type: string): number {
  const v = new DataView(out.buffer, out.byteOffset);
  v.setUint32(offset, size);
  for (let i = 0; i < 4; i++) out[offset + 4 + i] = type.charCodeAt(i);
  return offset + 8;
}

export interface Box {
  readonly type: string;
  /** Offset of the box in the parsed buffer. */
  readonly offset: number;
  readonly size: number;
  /** The bytes after the header (size and type, and largesize when present). */
  readonly payload: Uint8Array;
}

/** Parses the sibling boxes in `bytes` (throws ProtocolError when a size runs past the end). */
export function parseBoxes(bytes: Uint8Array): Box[] {
  const out: Box[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  while (o + 8 <= bytes.length) {
    let size = v.getUint32(o);
    let header = 8;
    if (size === 1) {
      if (o + 16 > bytes.length) {
        throw new ProtocolError(`box largesize at offset ${o} is invalid: truncated`);
      }
      size = Number(v.getBigUint64(o + 8));
      header = 16;
    } else if (size === 0) {
      size = bytes.length - o;
    }
    if (size < header || o + size > bytes.length) {
      throw new ProtocolError(`box size ${size} at offset ${o} is invalid: ${bytes.length - o} bytes left`);
    }
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    out.push({ type, offset: o, size, payload: bytes.subarray(o + header, o + size) });
    o += size;
  }
  if (o !== bytes.length) {
    throw new ProtocolError(`box at offset ${o} is invalid: ${bytes.length - o} trailing bytes`);
  }
  return out;
}

// Bytes before the child boxes of boxes that are not plain containers.
const CHILD_OFFSET: Record<string, number> = {
  stsd: 8, // FullBox + entry_count
  dref: 8,
  avc1: 78, // VisualSampleEntry
  hvc1: 78,
  av01: 78,
  vp08: 78,
  vp09: 78,
  mp4a: 28, // AudioSampleEntry
  Opus: 28,
};

/** The child boxes of a container or sample entry box. */
export function children(b: Box): Box[] {
  return parseBoxes(b.payload.subarray(CHILD_OFFSET[b.type] ?? 0));
}

/** Follows a path of box types from the top level, e.g. `["moov", "trak", "mdia"]` (first match each). */
export function findBox(bytes: Uint8Array, path: readonly string[]): Box | undefined {
  let level = parseBoxes(bytes);
  let found: Box | undefined;
  for (let i = 0; i < path.length; i++) {
    found = level.find((b) => b.type === path[i]);
    if (!found) return undefined;
    if (i + 1 < path.length) level = children(found);
  }
  return found;
}
