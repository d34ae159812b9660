/**
 * RTSP 1.0 messages (RFC 2326 §4–7): an incremental parser for one TCP connection, where requests,
 * responses and interleaved `$` binary frames (§10.12) may be mixed and pipelined, and serializers.
 */
import { ProtocolError } from "../../core/errors.ts";

/** A malformed or oversized message; `status` is the reply it deserves (then the connection closes). */
export class RtspError extends ProtocolError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Case-insensitive headers that keep repeated fields (WWW-Authenticate may repeat). */
export class RtspHeaders {
  #map = new Map<string, string[]>();

  constructor(init?: Iterable<[string, string]>) {
    if (init) { for (const [k, v] of init) this.append(k, v); }
  }

  append(name: string, value: string): void {
    const k = name.toLowerCase();
    const list = this.#map.get(k);
    if (list) list.push(value);
    else this.#map.set(k, [value]);
  }

  get(name: string): string | undefined {
    return this.#map.get(name.toLowerCase())?.[0];
  }

  getAll(name: string): string[] {
    return this.#map.get(name.toLowerCase()) ?? [];
  }

  has(name: string): boolean {
    return this.#map.has(name.toLowerCase());
  }
}

export interface RtspRequest {
  method: string;
  uri: string;
  headers: RtspHeaders;
  body: Uint8Array;
}

export interface RtspResponse {
  status: number;
  reason: string;
  headers: RtspHeaders;
  body: Uint8Array;
}

export type RtspItem =
  | { type: "request"; request: RtspRequest }
  | { type: "response"; response: RtspResponse }
  | { type: "data"; channel: number; payload: Uint8Array };

export interface ParserLimits {
  /** Request line plus headers. */
  maxHeaderBytes: number;
  /** Content-Length bound (SDP bodies and parameters are small). */
  maxBodyBytes: number;
}

const DEFAULT_LIMITS: ParserLimits = { maxHeaderBytes: 16 * 1024, maxBodyBytes: 256 * 1024 };
const decoder = new TextDecoder();

export class RtspParser {
  #buf = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  #limits: ParserLimits;

  constructor(limits: Partial<ParserLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Bytes waiting for the rest of their message. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  push(chunk: Uint8Array): void {
    const need = this.#end - this.#start + chunk.length;
    if (this.#end + chunk.length > this.#buf.length) {
      if (need <= this.#buf.length && this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      }
      this.#end -= this.#start;
      this.#start = 0;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** The next complete item, or undefined until more bytes arrive. Throws RtspError. */
  next(): RtspItem | undefined {
    const b = this.#buf;
    const avail = this.#end - this.#start;
    if (avail === 0) return undefined;
    const s = this.#start;
    if (b[s] === 0x24) {
      if (avail < 4) return undefined;
      const len = (b[s + 2] << 8) | b[s + 3];
      if (avail < 4 + len) return undefined;
      // Copied out: frames become immutable media data while this buffer is reused.
      const payload = b.slice(s + 4, s + 4 + len);
      this.#consume(4 + len);
      return { type: "data", channel: b[s + 1], payload };
    }
    const headEnd = findHeaderEnd(b, s, this.#end);
    if (headEnd < 0) {
      if (avail > this.#limits.maxHeaderBytes) {
        throw new RtspError(400, `RTSP header of more than ${this.#limits.maxHeaderBytes} bytes is invalid`);
      }
      return undefined;
    }
    if (headEnd - s > this.#limits.maxHeaderBytes) {
      throw new RtspError(
        400,
        `RTSP header of ${headEnd - s} bytes is invalid: at most ${this.#limits.maxHeaderBytes}`,
      );
    }
    const { bodyStart, item } = parseHead(decoder.decode(b.subarray(s, headEnd)), headEnd);
    const headers = item.type === "request" ? item.request.headers : item.response.headers;
    const cl = headers.get("content-length");
    let length = 0;
    if (cl !== undefined) {
      length = Number(cl.trim());
      if (!/^\d+$/.test(cl.trim())) {
        throw new RtspError(400, `RTSP Content-Length "${cl}" is invalid: must be digits`);
      }
      if (length > this.#limits.maxBodyBytes) {
        throw new RtspError(
          413,
          `RTSP Content-Length ${length} is invalid: at most ${this.#limits.maxBodyBytes}`,
        );
      }
    }
    if (bodyStart + length > this.#end) return undefined;
    const body = b.slice(bodyStart, bodyStart + length);
    if (item.type === "request") item.request.body = body;
    else item.response.body = body;
    this.#consume(bodyStart + length - s);
    return item;
  }

  #consume(n: number): void {
    this.#start += n;
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }
}

/** Index just past CRLFCRLF (or LFLF), or -1. */
function findHeaderEnd(b: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to - 1; i++) {
    if (b[i] !== 0x0a) continue;
    if (b[i + 1] === 0x0a) return i + 2;
    if (b[i + 1] === 0x0d && i + 2 < to && b[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

const REQUEST_LINE = /^([A-Z_]{1,32}) (\S{1,4096}) RTSP\/1\.0$/;
const STATUS_LINE = /^RTSP\/1\.0 (\d{3})(?: (.*))?$/;

type MessageItem = Exclude<RtspItem, { type: "data" }>;

function parseHead(text: string, headEnd: number): { bodyStart: number; item: MessageItem } {
  const lines = text.split(/\r?\n/);
  const first = lines[0];
  const headers = new RtspHeaders();
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const i = line.indexOf(":");
    if (i <= 0) {
      throw new RtspError(400, `RTSP header line "${line.slice(0, 60)}" is invalid: must be Name: value`);
    }
    headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const req = REQUEST_LINE.exec(first);
  if (req) {
    return {
      bodyStart: headEnd,
      item: { type: "request", request: { method: req[1], uri: req[2], headers, body: EMPTY } },
    };
  }
  const res = STATUS_LINE.exec(first);
  if (res) {
    return {
      bodyStart: headEnd,
      item: {
        type: "response",
        response: { status: Number(res[1]), reason: res[2] ?? "", headers, body: EMPTY },
      },
    };
  }
  throw new RtspError(
    400,
    `RTSP request line "${first.slice(0, 60)}" is invalid: must be METHOD URI RTSP/1.0`,
  );
}

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

export const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  453: "Not Enough Bandwidth",
  454: "Session Not Found",
  455: "Method Not Valid in This State",
  457: "Invalid Range",
  459: "Aggregate Operation Not Allowed",
  461: "Unsupported Transport",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "RTSP Version Not Supported",
};

function serialize(first: string, headers: [string, string][], body?: Uint8Array | string): Uint8Array {
  const b = typeof body === "string" ? encoder.encode(body) : body;
  let head = first + "\r\n";
  for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
  if (b && b.length > 0) head += `Content-Length: ${b.length}\r\n`;
  head += "\r\n";
  const h = encoder.encode(head);
  if (!b || b.length === 0) return h;
  const out = new Uint8Array(h.length + b.length);
  out.set(h);
  out.set(b, h.length);
  return out;
}

export function serializeResponse(
  status: number,
  headers: [string, string][],
  body?: Uint8Array | string,
  reason = REASONS[status] ?? "Unknown",
): Uint8Array {
  return serialize(`RTSP/1.0 ${status} ${reason}`, headers, body);
}

export function serializeRequest(
  method: string,
  uri: string,
  headers: [string, string][],
  body?: Uint8Array | string,
): Uint8Array {
  return serialize(`${method} ${uri} RTSP/1.0`, headers, body);
}

export function bodyText(m: { body: Uint8Array }): string {
  return decoder.decode(m.body);
}
