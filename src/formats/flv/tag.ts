import { ProtocolError } from "../../core/errors.ts";

export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;
export type FlvTagType = 8 | 9 | 18;

/** Tag header length; the body follows, then a 4-byte PreviousTagSize. */
export const FLV_TAG_HEADER_SIZE = 11;
/** FLV header (9 bytes) plus PreviousTagSize0 (4 bytes). */
export const FLV_HEADER_SIZE = 13;
/** Largest body a tag can carry (24-bit DataSize). */
export const FLV_MAX_BODY = 0xffffff;

export interface FlvTag {
  type: number;
  /** Milliseconds, 32-bit (the extended byte is the high 8 bits). */
  timestamp: number;
  /** A view into the source bytes. */
  body: Uint8Array;
}

/** The 9-byte FLV file header followed by PreviousTagSize0 = 0. */
export function flvHeader(o: { video: boolean; audio: boolean }): Uint8Array {
  return new Uint8Array([0x46, 0x4c, 0x56, 1, (o.audio ? 4 : 0) | (o.video ? 1 : 0), 0, 0, 0, 9, 0, 0, 0, 0]);
}

/** One whole tag: 11-byte header, body, 4-byte PreviousTagSize. */
export function flvTag(type: FlvTagType, timestampMs: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FLV_TAG_HEADER_SIZE + body.length + 4);
  writeFlvTagHeader(out, 0, type, timestampMs, body.length);
  out.set(body, FLV_TAG_HEADER_SIZE);
  new DataView(out.buffer).setUint32(FLV_TAG_HEADER_SIZE + body.length, FLV_TAG_HEADER_SIZE + body.length);
  return out;
}

/** Writes an 11-byte tag header at `offset` (for callers that assemble many tags in one buffer). */
export function writeFlvTagHeader(
  out: Uint8Array,
  offset: number,
  type: FlvTagType,
  timestampMs: number,
  bodyLength: number,
): void {
  if (bodyLength > FLV_MAX_BODY) {
    throw new ProtocolError(
      `FLV tag body of ${bodyLength} bytes is invalid: must be at most ${FLV_MAX_BODY}`,
    );
  }
  const ts = Math.max(0, Math.round(timestampMs)) >>> 0; // FLV time wraps at 2^32 ms
  out[offset] = type;
  out[offset + 1] = bodyLength >> 16;
  out[offset + 2] = (bodyLength >> 8) & 0xff;
  out[offset + 3] = bodyLength & 0xff;
  out[offset + 4] = (ts >> 16) & 0xff;
  out[offset + 5] = (ts >> 8) & 0xff;
  out[offset + 6] = ts & 0xff;
  out[offset + 7] = ts >>> 24;
  out[offset + 8] = 0;
  out[offset + 9] = 0;
  out[offset + 10] = 0;
}

/**
 * Incremental FLV byte-stream parser (HTTP/WS-FLV clients, files). Feed chunks with `push`;
 * it returns every complete tag so far. Tag bodies are copies when they span chunks, views otherwise.
 */
export class FlvTagReader {
  #buf: Uint8Array = new Uint8Array(0);
  #headerDone = false;
  #hasAudio = false;
  #hasVideo = false;

  /** Header flags, known after the first 9 bytes. */
  get hasAudio(): boolean {
    return this.#hasAudio;
  }
  get hasVideo(): boolean {
    return this.#hasVideo;
  }

  push(chunk: Uint8Array): FlvTag[] {
    this.#buf = this.#buf.length === 0 ? chunk : concat(this.#buf, chunk);
    const tags: FlvTag[] = [];
    let o = 0;
    const b = this.#buf;
    if (!this.#headerDone) {
      if (b.length < 9) return tags;
      if (b[0] !== 0x46 || b[1] !== 0x4c || b[2] !== 0x56) {
        throw new ProtocolError(
          `FLV signature ${hexBytes(b.subarray(0, 3))} is invalid: must be "FLV" (46 4c 56)`,
        );
      }
      const dataOffset = (b[5] << 24 | b[6] << 16 | b[7] << 8 | b[8]) >>> 0;
      if (dataOffset < 9 || dataOffset > 1024) {
        throw new ProtocolError(`FLV DataOffset ${dataOffset} is invalid: must be 9..1024`);
      }
      if (b.length < dataOffset + 4) return tags;
      this.#hasAudio = (b[4] & 4) !== 0;
      this.#hasVideo = (b[4] & 1) !== 0;
      this.#headerDone = true;
      o = dataOffset + 4; // skip PreviousTagSize0
    }
    while (b.length - o >= FLV_TAG_HEADER_SIZE) {
      const type = b[o] & 0x1f;
      const size = (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
      if (b.length - o < FLV_TAG_HEADER_SIZE + size + 4) break;
      if (b[o] & 0x20) {
        throw new ProtocolError(
          `FLV tag at offset ${o} is invalid: encrypted (Filter bit) tags are unsupported`,
        );
      }
      const timestamp = ((b[o + 7] << 24) | (b[o + 4] << 16) | (b[o + 5] << 8) | b[o + 6]) >>> 0;
      const start = o + FLV_TAG_HEADER_SIZE;
      tags.push({ type, timestamp, body: b.subarray(start, start + size) });
      o = start + size + 4;
    }
    // Keep the tail; copy it so the returned views and the next buffer do not alias.
    this.#buf = o === 0 ? b : b.slice(o);
    return tags;
  }

  /** Bytes received but not yet part of a complete tag. */
  get pending(): number {
    return this.#buf.length;
  }
}

/** Parses a whole FLV file (header + tags); throws ProtocolError on a truncated last tag. */
export function readFlvTags(bytes: Uint8Array): { hasAudio: boolean; hasVideo: boolean; tags: FlvTag[] } {
  const r = new FlvTagReader();
  const tags = r.push(bytes);
  if (r.pending > 0) {
    throw new ProtocolError(`FLV data is invalid: ${r.pending} trailing bytes do not form a whole tag`);
  }
  return { hasAudio: r.hasAudio, hasVideo: r.hasVideo, tags };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}
