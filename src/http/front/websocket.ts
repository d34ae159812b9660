/**
 * WebSocket (RFC 6455): the opening handshake's checks (§4.2.1), the accept key (§4.2.2) and the
 * base framing (§5.2). Client frames must be masked (§5.3); control frames are at most 125 bytes
 * and never fragmented (§5.5); reserved bits without an extension are a protocol error.
 */
import { ConnReader } from "./conn_reader.ts";
import { HttpFrontError } from "./errors.ts";
import { connectionTokens, headerValue } from "./request_parser.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Uint8Array;
}

const bad = (msg: string) => new HttpFrontError("bad_websocket", 400, msg);

/** True when the client asks for a WebSocket at all (then every other rule must hold). */
export function wantsWebSocket(headers: [string, string][]): boolean {
  return headerValue(headers, "upgrade").toLowerCase().split(",").some((t) => t.trim() === "websocket");
}

/** Checks the opening handshake; returns the Sec-WebSocket-Key. Throws 400 naming what is wrong. */
export function checkHandshake(method: string, minor: number, headers: [string, string][]): string {
  if (method !== "GET") throw bad(`WebSocket upgrade with method ${method} refused: must be GET`);
  if (minor !== 1) throw bad("WebSocket upgrade refused: must be HTTP/1.1");
  if (!connectionTokens(headers).includes("upgrade")) {
    throw bad("WebSocket upgrade refused: Connection must include the token upgrade");
  }
  const version = headerValue(headers, "sec-websocket-version");
  if (version !== "13") {
    throw bad(`Sec-WebSocket-Version ${JSON.stringify(version.slice(0, 20))} is not supported: must be 13`);
  }
  const key = headerValue(headers, "sec-websocket-key");
  if (!isValidKey(key)) {
    throw bad(`Sec-WebSocket-Key ${JSON.stringify(key.slice(0, 40))} is invalid: must be 16 bytes in base64`);
  }
  return key;
}

/** 16 bytes in base64 are exactly 22 characters and "==". */
export function isValidKey(key: string): boolean {
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return false;
  try {
    return atob(key).length === 16;
  } catch {
    return false;
  }
}

export async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + GUID));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** The header of an unmasked server frame carrying `length` bytes. */
export function frameHeader(opcode: number, length: number, fin = true): Uint8Array {
  const first = (fin ? 0x80 : 0) | opcode;
  if (length < 126) return Uint8Array.of(first, length);
  if (length < 65536) return Uint8Array.of(first, 126, length >> 8, length & 0xff);
  const h = new Uint8Array(10);
  h[0] = first;
  h[1] = 127;
  new DataView(h.buffer).setBigUint64(2, BigInt(length));
  return h;
}

/** Reads one client frame; null at a clean end of stream before a frame starts. */
export async function readFrame(r: ConnReader, maxPayload: number): Promise<Frame | null> {
  if (!await need(r, 2, true)) return null;
  let b = r.buffered;
  const fin = (b[0] & 0x80) !== 0;
  if (b[0] & 0x70) throw protocol("reserved bits set without a negotiated extension");
  const opcode = b[0] & 0x0f;
  const masked = (b[1] & 0x80) !== 0;
  if (!masked) throw protocol("client frame is not masked (RFC 6455 §5.3)");
  let len = b[1] & 0x7f;
  let off = 2;
  if (opcode >= 8 && (len > 125 || !fin)) throw protocol("control frame over 125 bytes or fragmented");
  if (opcode > 2 && opcode < 8 || opcode > 10) throw protocol(`opcode ${opcode} is reserved`);
  if (len === 126) {
    await need(r, 4);
    b = r.buffered;
    len = (b[2] << 8) | b[3];
    off = 4;
  } else if (len === 127) {
    await need(r, 10);
    b = r.buffered;
    const big = new DataView(b.buffer, b.byteOffset + 2, 8).getBigUint64(0);
    if (big > BigInt(maxPayload)) throw tooBig(big, maxPayload);
    len = Number(big);
    off = 10;
  }
  if (len > maxPayload) throw tooBig(len, maxPayload);
  await need(r, off + 4 + len);
  b = r.buffered;
  const mask = b.subarray(off, off + 4);
  const payload = b.slice(off + 4, off + 4 + len);
  for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
  r.consume(off + 4 + len);
  return { fin, opcode, payload };
}

async function need(r: ConnReader, n: number, atStart = false): Promise<boolean> {
  while (r.buffered.length < n) {
    if (!await r.fill()) {
      if (atStart && r.buffered.length === 0) return false;
      throw protocol("connection ended inside a frame");
    }
  }
  return true;
}

const protocol = (msg: string) => new HttpFrontError("websocket_protocol", 1002, `WebSocket ${msg}`);
const tooBig = (len: number | bigint, max: number) =>
  new HttpFrontError("websocket_protocol", 1009, `WebSocket frame of ${len} bytes refused: at most ${max}`);

/** The payload of a close frame: status code and a reason cut to fit 123 bytes of UTF-8. */
export function closePayload(code: number, reason: string): Uint8Array {
  let why = new TextEncoder().encode(reason);
  if (why.length > 123) {
    // Cut at a character boundary, or the reason would not be valid UTF-8.
    let end = 123;
    while (end > 0 && (why[end] & 0xc0) === 0x80) end--;
    why = why.subarray(0, end);
  }
  const out = new Uint8Array(2 + why.length);
  out[0] = code >> 8;
  out[1] = code & 0xff;
  out.set(why, 2);
  return out;
}
