/**
 * Writes a fetch `Response` onto an HTTP/1.1 connection (RFC 9112 §4, §6, §7.1): status line,
 * headers without hop-by-hop ones, then the body with Content-Length when the app gave one,
 * chunked otherwise (close-delimited for HTTP/1.0). A streamed body (HTTP-FLV) is written piece by
 * piece, each write awaited: that is the back-pressure a fan-out sink relies on.
 */
import { writeAll } from "./conn_reader.ts";

const ENC = new TextEncoder();
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);
const CRLF = 2;

export interface WriteOptions {
  /** A HEAD request: headers as for GET, no body. */
  head: boolean;
  /** The request's HTTP minor version (0 = 1.0). */
  minor: number;
  /** Whether the connection may stay open after this response. */
  keepAlive: boolean;
  /** Fires when the client went away: the body is cancelled. */
  signal: AbortSignal;
  /** Only the head of a close-delimited body that a LiveBody writes. */
  live?: boolean;
}

const STATUS_TEXT: Record<number, string> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  413: "Content Too Large",
  414: "URI Too Long",
  416: "Range Not Satisfiable",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

export function statusLine(status: number, text?: string): string {
  return `HTTP/1.1 ${status} ${text || STATUS_TEXT[status] || "Status"}\r\n`;
}

let dateSecond = 0;
let dateText = "";
/** The Date field, formatted once per second (the same string object all that second). */
export function httpDate(): string {
  const now = Math.floor(Date.now() / 1000);
  if (now !== dateSecond) {
    dateSecond = now;
    dateText = new Date(now * 1000).toUTCString();
  }
  return dateText;
}

/** Writes `res`; resolves true when the connection may carry another request. */
export async function writeResponse(conn: Deno.Conn, res: Response, o: WriteOptions): Promise<boolean> {
  const noBody = o.head || res.status === 204 || res.status === 304 || res.status < 200;
  const length = res.headers.get("content-length");
  const chunked = !noBody && length === null && o.minor === 1 && !o.live;
  // Without a length, an HTTP/1.0 body ends when the connection does.
  const keepAlive = o.keepAlive && (noBody || length !== null || chunked) &&
    res.headers.get("connection")?.toLowerCase() !== "close";
  let head = statusLine(res.status, res.statusText) + `date: ${httpDate()}\r\n`;
  for (const [name, value] of res.headers) {
    if (HOP_BY_HOP.has(name)) continue;
    if (/[\r\n]/.test(value)) continue; // a header with a line break would split the response
    head += `${name}: ${value}\r\n`;
  }
  if (chunked) head += "transfer-encoding: chunked\r\n";
  else if (length === null && !noBody) head += "connection: close\r\n";
  if (!keepAlive && (chunked || length !== null || noBody)) head += "connection: close\r\n";
  head += "\r\n";
  const headBytes = ENC.encode(head);
  if (o.live) {
    await writeAll(conn, headBytes);
    return false;
  }
  if (noBody || !res.body) {
    if (!noBody && length === null && chunked) {
      await writeAll(conn, concat(headBytes, ENC.encode("0\r\n\r\n")));
    } else await writeAll(conn, headBytes);
    await res.body?.cancel().catch(() => {});
    return keepAlive;
  }
  await writeBody(conn, res.body, headBytes, chunked, o.signal);
  return keepAlive;
}

async function writeBody(
  conn: Deno.Conn,
  body: ReadableStream<Uint8Array>,
  head: Uint8Array,
  chunked: boolean,
  signal: AbortSignal,
): Promise<void> {
  const reader = body.getReader();
  const onAbort = () => reader.cancel("client left").catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  // One scratch buffer per response: each chunk's size line, data and CRLF go out in one write.
  let scratch = new Uint8Array(0);
  let pendingHead: Uint8Array | undefined = head;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) break;
      if (!value || value.length === 0) continue;
      const prefix = chunked ? ENC.encode(value.length.toString(16) + "\r\n") : undefined;
      const need = (pendingHead?.length ?? 0) + (prefix ? prefix.length + value.length + CRLF : value.length);
      if (!prefix && !pendingHead) {
        await writeAll(conn, value);
        continue;
      }
      if (scratch.length < need) scratch = new Uint8Array(Math.max(need, scratch.length * 2));
      let off = 0;
      if (pendingHead) {
        scratch.set(pendingHead, 0);
        off = pendingHead.length;
        pendingHead = undefined;
      }
      if (prefix) {
        scratch.set(prefix, off);
        off += prefix.length;
      }
      scratch.set(value, off);
      off += value.length;
      if (prefix) {
        scratch[off++] = 0x0d;
        scratch[off++] = 0x0a;
      }
      await writeAll(conn, scratch.subarray(0, off));
    }
    if (signal.aborted) throw new Error("client left");
    const tail = chunked ? ENC.encode("0\r\n\r\n") : new Uint8Array(0);
    const last = pendingHead ? concat(pendingHead, tail) : tail;
    if (last.length) await writeAll(conn, last);
  } catch (err) {
    await reader.cancel(String((err as Error)?.message ?? err)).catch(() => {});
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A short error answer from the front itself, always followed by closing the connection. */
export function simpleResponse(status: number, msg: string): Uint8Array {
  const body = JSON.stringify({ code: status, msg });
  return ENC.encode(
    statusLine(status) +
      `date: ${httpDate()}\r\ncontent-type: application/json\r\ncontent-length: ${
        ENC.encode(body).length
      }\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
}
