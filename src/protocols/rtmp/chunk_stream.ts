/**
 * RTMP chunk streams (RTMP 1.0 §5.3): the reader reassembles messages from interleaved chunks,
 * the writer cuts one message into chunks. Each message payload is copied exactly once, from the
 * socket buffer into its own buffer; media frames then share views of it.
 */
import { readU32 } from "../../core/bytes.ts";
import { ProtocolError } from "../../core/errors.ts";

export interface RtmpMessage {
  csid: number;
  type: number;
  streamId: number;
  /** Absolute message timestamp in ms (32-bit, wraps). */
  timestamp: number;
  payload: Uint8Array;
}

export const DEFAULT_CHUNK_SIZE = 128;
export const MAX_CHUNK_SIZE = 0x7fffffff;
/** Largest message we accept by default: far above any real frame, far below the 24-bit field. */
export const DEFAULT_MAX_MESSAGE = 8 * 1024 * 1024;
const EXT = 0xffffff;

interface ChunkStreamState {
  timestamp: number;
  /** The last timestamp field (delta for fmt 1/2, absolute for fmt 0): fmt 3 repeats it. */
  delta: number;
  length: number;
  type: number;
  streamId: number;
  /** The extended timestamp value when the last header used one (fmt 3 chunks may repeat it). */
  ext: number | undefined;
  /** The message being reassembled, or undefined between messages. */
  buf: Uint8Array | undefined;
  filled: number;
}

export interface ChunkReaderOptions {
  /** Upper bound of one message's length; larger declarations are a ProtocolError. */
  maxMessageLength?: number;
  /** Upper bound of bytes declared by all unfinished messages (many chunk streams at once). */
  maxPendingBytes?: number;
}

/** Reassembles messages from chunk bytes fed in any split; `push` calls `onMessage` synchronously. */
export class ChunkReader {
  #chunkSize = DEFAULT_CHUNK_SIZE;
  #streams = new Map<number, ChunkStreamState>();
  #onMessage: (m: RtmpMessage) => void;
  #maxMessage: number;
  #maxPending: number;
  #pending = 0;
  /** Bytes of an incomplete chunk header carried over to the next push (at most 18). */
  #head = new Uint8Array(18);
  #headLen = 0;
  /** The chunk stream whose payload bytes are being received, and how many this chunk still has. */
  #cur: ChunkStreamState | undefined;
  #curCsid = 0;
  #chunkLeft = 0;

  constructor(onMessage: (m: RtmpMessage) => void, opts: ChunkReaderOptions = {}) {
    this.#onMessage = onMessage;
    this.#maxMessage = opts.maxMessageLength ?? DEFAULT_MAX_MESSAGE;
    this.#maxPending = opts.maxPendingBytes ?? 2 * this.#maxMessage;
  }

  get chunkSize(): number {
    return this.#chunkSize;
  }

  /** Applies the peer's Set Chunk Size to the chunks that follow. */
  setChunkSize(n: number): void {
    checkChunkSize(n);
    this.#chunkSize = n;
  }

  /** Abort Message: drops the partial message of a chunk stream. */
  abort(csid: number): void {
    const s = this.#streams.get(csid);
    if (!s?.buf) return;
    this.#pending -= s.length;
    s.buf = undefined;
    s.filled = 0;
    if (this.#cur === s) {
      this.#cur = undefined;
      this.#chunkLeft = 0;
    }
  }

  push(data: Uint8Array): void {
    let pos = 0;
    const end = data.byteLength;
    while (pos < end) {
      if (this.#cur) {
        pos = this.#payload(data, pos);
        continue;
      }
      if (this.#headLen > 0) {
        // Complete a header split across pushes: append at most what a header can need.
        const take = Math.min(end - pos, this.#head.byteLength - this.#headLen);
        this.#head.set(data.subarray(pos, pos + take), this.#headLen);
        const avail = this.#headLen + take;
        const used = this.#header(this.#head, 0, avail);
        if (used < 0) {
          this.#headLen = avail;
          return;
        }
        pos += used - this.#headLen;
        this.#headLen = 0;
        continue;
      }
      const used = this.#header(data, pos, end);
      if (used < 0) {
        this.#head.set(data.subarray(pos, end), 0);
        this.#headLen = end - pos;
        return;
      }
      pos += used;
    }
  }

  #payload(data: Uint8Array, pos: number): number {
    const s = this.#cur!;
    const n = Math.min(this.#chunkLeft, data.byteLength - pos);
    s.buf!.set(data.subarray(pos, pos + n), s.filled);
    s.filled += n;
    this.#chunkLeft -= n;
    if (this.#chunkLeft === 0) {
      this.#cur = undefined;
      if (s.filled === s.length) this.#complete(this.#curCsid, s);
    }
    return pos + n;
  }

  #complete(csid: number, s: ChunkStreamState) {
    const payload = s.buf!;
    s.buf = undefined;
    s.filled = 0;
    this.#pending -= s.length;
    this.#onMessage({ csid, type: s.type, streamId: s.streamId, timestamp: s.timestamp, payload });
  }

  /**
   * Parses one chunk header at `pos` (bytes up to `end`). Returns the header length, or -1 when
   * more bytes are needed. Sets up the payload state for the chunk.
   */
  #header(b: Uint8Array, pos: number, end: number): number {
    const start = pos;
    if (pos >= end) return -1;
    const fmt = b[pos] >> 6;
    let csid = b[pos] & 0x3f;
    pos++;
    if (csid === 0) {
      if (pos + 1 > end) return -1;
      csid = 64 + b[pos++];
    } else if (csid === 1) {
      if (pos + 2 > end) return -1;
      csid = 64 + b[pos] + b[pos + 1] * 256;
      pos += 2;
    }
    const size = fmt === 0 ? 11 : fmt === 1 ? 7 : fmt === 2 ? 3 : 0;
    if (pos + size > end) return -1;
    const h = pos;
    pos += size;
    let s = this.#streams.get(csid);
    let tsField = 0;
    let ext: number | undefined;
    if (fmt <= 2) {
      tsField = (b[h] << 16) | (b[h + 1] << 8) | b[h + 2];
      if (tsField === EXT) {
        if (pos + 4 > end) return -1;
        ext = tsField = readU32(b, pos);
        pos += 4;
      }
    } else if (s?.ext !== undefined) {
      // fmt 3 after an extended timestamp repeats it (spec, librtmp, ffmpeg), but some encoders
      // leave it out (smart_rtmpd's hdr3exttime=false): take the 4 bytes only when they match.
      if (pos + 4 > end) return -1;
      if (readU32(b, pos) === s.ext) pos += 4;
      ext = s.ext;
    }
    // The header is complete: only now change state (a short header is parsed again later).
    if (!s) {
      if (fmt !== 0 && fmt !== 1) {
        throw new ProtocolError(
          `RTMP chunk stream ${csid} starts with a fmt ${fmt} header: must be fmt 0 or 1`,
        );
      }
      s = {
        timestamp: 0,
        delta: 0,
        length: 0,
        type: 0,
        streamId: 0,
        ext: undefined,
        buf: undefined,
        filled: 0,
      };
      this.#streams.set(csid, s);
    }
    if (fmt !== 3 && s.buf !== undefined) {
      // A new header in the middle of a message: the old one is abandoned.
      this.#pending -= s.length;
      s.buf = undefined;
      s.filled = 0;
    }
    s.ext = ext;
    if (fmt <= 1) {
      s.length = (b[h + 3] << 16) | (b[h + 4] << 8) | b[h + 5];
      s.type = b[h + 6];
      if (fmt === 0) s.streamId = (b[h + 7] | (b[h + 8] << 8) | (b[h + 9] << 16) | (b[h + 10] << 24)) >>> 0;
    }
    if (s.buf === undefined) {
      if (fmt === 0) {
        s.timestamp = tsField;
        s.delta = tsField;
      } else if (fmt <= 2) {
        s.delta = tsField;
        s.timestamp = (s.timestamp + tsField) >>> 0;
      } else s.timestamp = (s.timestamp + s.delta) >>> 0;
      if (s.length > this.#maxMessage) {
        throw new ProtocolError(
          `RTMP message length ${s.length} on chunk stream ${csid} is invalid: must be at most ${this.#maxMessage}`,
        );
      }
      if (this.#pending + s.length > this.#maxPending) {
        throw new ProtocolError(
          `RTMP unfinished messages of ${
            this.#pending + s.length
          } bytes are invalid: must be at most ${this.#maxPending}`,
        );
      }
      this.#pending += s.length;
      s.buf = new Uint8Array(s.length);
      s.filled = 0;
    }
    this.#chunkLeft = Math.min(this.#chunkSize, s.length - s.filled);
    if (this.#chunkLeft === 0) this.#complete(csid, s);
    else {
      this.#cur = s;
      this.#curCsid = csid;
    }
    return pos - start;
  }
}

export function checkChunkSize(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CHUNK_SIZE) {
    throw new ProtocolError(`RTMP chunk size ${n} is invalid: must be 1..${MAX_CHUNK_SIZE}`);
  }
}

function basicHeaderSize(csid: number): number {
  return csid < 64 ? 1 : csid < 320 ? 2 : 3;
}

function writeBasic(out: Uint8Array, o: number, fmt: number, csid: number): number {
  if (csid < 64) {
    out[o] = (fmt << 6) | csid;
    return o + 1;
  }
  if (csid < 320) {
    out[o] = fmt << 6;
    out[o + 1] = csid - 64;
    return o + 2;
  }
  out[o] = (fmt << 6) | 1;
  out[o + 1] = (csid - 64) & 0xff;
  out[o + 2] = (csid - 64) >> 8;
  return o + 3;
}

export interface ChunkOptions {
  chunkSize: number;
  /** Repeat the extended timestamp in fmt 3 chunks (spec; smart_rtmpd's hdr3exttime). Default true. */
  fmt3ExtTime?: boolean;
}

/** A message to send; the payload may come in parts (tag header + frame data), copied once here. */
export interface OutgoingMessage {
  csid: number;
  type: number;
  streamId: number;
  timestamp: number;
  payload: Uint8Array | readonly Uint8Array[];
}

/**
 * One message as chunks: a fmt 0 header (absolute timestamp) then fmt 3 continuations. Stateless,
 * so the bytes are the same for every receiver with the same chunk size (shareable).
 */
export function chunkMessage(m: OutgoingMessage, opts: ChunkOptions): Uint8Array {
  const csid = m.csid;
  if (csid < 2 || csid > 65599) throw new RangeError(`RTMP chunk stream id ${csid} must be 2..65599`);
  const parts = m.payload instanceof Uint8Array ? [m.payload] : m.payload;
  let len = 0;
  for (const p of parts) len += p.byteLength;
  if (len > 0xffffff) throw new RangeError(`RTMP message of ${len} bytes exceeds the 24-bit length field`);
  const chunkSize = opts.chunkSize;
  const ts = m.timestamp >>> 0;
  const ext = ts >= EXT;
  const extRepeat = ext && opts.fmt3ExtTime !== false;
  const bh = basicHeaderSize(csid);
  const chunks = Math.max(1, Math.ceil(len / chunkSize));
  const size = len + bh + 11 + (ext ? 4 : 0) + (chunks - 1) * (bh + (extRepeat ? 4 : 0));
  const out = new Uint8Array(size);
  let o = writeBasic(out, 0, 0, csid);
  const t = ext ? EXT : ts;
  out[o] = t >> 16;
  out[o + 1] = (t >> 8) & 0xff;
  out[o + 2] = t & 0xff;
  out[o + 3] = len >> 16;
  out[o + 4] = (len >> 8) & 0xff;
  out[o + 5] = len & 0xff;
  out[o + 6] = m.type;
  const sid = m.streamId;
  out[o + 7] = sid & 0xff;
  out[o + 8] = (sid >> 8) & 0xff;
  out[o + 9] = (sid >> 16) & 0xff;
  out[o + 10] = (sid >>> 24) & 0xff;
  o += 11;
  if (ext) o = writeExt(out, o, ts);
  let left = chunkSize; // room in the current chunk
  for (const part of parts) {
    let p = 0;
    while (p < part.byteLength) {
      if (left === 0) {
        o = writeBasic(out, o, 3, csid);
        if (extRepeat) o = writeExt(out, o, ts);
        left = chunkSize;
      }
      const n = Math.min(left, part.byteLength - p);
      out.set(part.subarray(p, p + n), o);
      o += n;
      p += n;
      left -= n;
    }
  }
  return out;
}

function writeExt(out: Uint8Array, o: number, ts: number): number {
  out[o] = ts >>> 24;
  out[o + 1] = (ts >> 16) & 0xff;
  out[o + 2] = (ts >> 8) & 0xff;
  out[o + 3] = ts & 0xff;
  return o + 4;
}
