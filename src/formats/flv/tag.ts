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
  // Chunks not yet merged into #buf: a large tag is joined once, not once per chunk.
  #chunks: Uint8Array[] = [];
  #chunkBytes = 0;
  /** Bytes #buf must hold before parsing can progress (0 = unknown, try now). */
  #need = 0;
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

  /** Bytes received but not yet part of a complete tag. */
  get pending(): number {
    return this.#buf.length + this.#chunkBytes;
  }

  /** Feeds bytes; the reader keeps views of `chunk`, so the caller must not reuse it. */
  push(chunk: Uint8Array): FlvTag[] {
    this.#chunks.push(chunk);
    this.#chunkBytes += chunk.length;
    if (this.#buf.length + this.#chunkBytes < this.#need) return [];
    const b = this.#merge();
    const tags: FlvTag[] = [];
    let o = 0;
    if (!this.#headerDone) {
      o = this.#readHeader(b);
      if (o < 0) return tags;
    }
    while (b.length - o >= FLV_TAG_HEADER_SIZE) {
      const size = (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
      if (b.length - o < FLV_TAG_HEADER_SIZE + size + 4) break;
      if (b[o] & 0x20) {
        throw new ProtocolError(
          `FLV tag at offset ${o} is invalid: encrypted (Filter bit) tags are unsupported`,
        );
      }
      const timestamp = ((b[o + 7] << 24) | (b[o + 4] << 16) | (b[o + 5] << 8) | b[o + 6]) >>> 0;
      const start = o + FLV_TAG_HEADER_SIZE;
      tags.push({ type: b[o] & 0x1f, timestamp, body: b.subarray(start, start + size) });
      o = start + size + 4;
    }
    // Copy the tail so returned views and the next buffer never alias.
    this.#buf = o === 0 ? b : b.slice(o);
    const rest = this.#buf;
    this.#need = rest.length >= FLV_TAG_HEADER_SIZE
      ? FLV_TAG_HEADER_SIZE + ((rest[1] << 16) | (rest[2] << 8) | rest[3]) + 4
      : 0;
    return tags;
  }

  #merge(): Uint8Array {
    if (this.#buf.length === 0 && this.#chunks.length === 1) {
      const only = this.#chunks[0];
      this.#chunks = [];
      this.#chunkBytes = 0;
      return only;
    }
    const out = new Uint8Array(this.#buf.length + this.#chunkBytes);
    out.set(this.#buf);
    let o = this.#buf.length;
    for (const c of this.#chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.#chunks = [];
    this.#chunkBytes = 0;
    return out;
  }

  // Returns the offset of the first tag, or -1 (keeping the bytes) when the header is incomplete.
  #readHeader(b: Uint8Array): number {
    if (b.length >= 3 && (b[0] !== 0x46 || b[1] !== 0x4c || b[2] !== 0x56)) {
      throw new ProtocolError(
        `FLV signature ${hexBytes(b.subarray(0, 3))} is invalid: must be "FLV" (46 4c 56)`,
      );
    }
    if (b.length < 9) {
      this.#buf = b;
      return -1;
    }
    const dataOffset = ((b[5] << 24) | (b[6] << 16) | (b[7] << 8) | b[8]) >>> 0;
    if (dataOffset < 9 || dataOffset > 1024) {
      throw new ProtocolError(`FLV DataOffset ${dataOffset} is invalid: must be 9..1024`);
    }
    if (b.length < dataOffset + 4) {
      this.#buf = b;
      return -1;
    }
    this.#hasAudio = (b[4] & 4) !== 0;
    this.#hasVideo = (b[4] & 1) !== 0;
    this.#headerDone = true;
    return dataOffset + 4; // skip PreviousTagSize0
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

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}
