/**
 * Fuzz targets of the HTTP front: the request head parser, the chunked body decoder and WebSocket
 * frames. The last two read from a connection, so they get a fake one that hands over the input's
 * pieces (`framed`, so the split points of the table rows survive) and run without real I/O.
 */
import { fakeConn } from "../http/front/_fake_conn.ts";
import { ChunkedDecoder } from "../http/front/chunked.ts";
import { CHUNKED_CASES } from "../http/front/chunked_cases.ts";
import { ConnReader } from "../http/front/conn_reader.ts";
import { HttpFrontError } from "../http/front/errors.ts";
import { headerValue, type HeadLimits, parseRequestHead } from "../http/front/request_parser.ts";
import { BAD_HEADS, GOOD_HEADS } from "../http/front/request_parser_cases.ts";
import { checkHandshake, OP, readFrame, wantsWebSocket } from "../http/front/websocket.ts";
import { bytes, clientFrame, WS_FRAME_ERRORS, WS_SESSION } from "../http/front/websocket_cases.ts";
import { FrontWebSocket } from "../http/front/ws_socket.ts";
import { framed, type FuzzTarget, unframe, utf8 } from "./target.ts";

const FRONT = [HttpFrontError] as const;

// Small limits reach the 414/431 paths with inputs of a few hundred bytes.
const SMALL_HEAD: HeadLimits = { maxRequestLine: 64, maxHeaders: 6, maxHeadBytes: 512 };
/** Small, so a mutated size line crosses it often; the front's httpmaxbody plays this role. */
const BODY_LIMIT = 4096;
const WS_LIMIT = 1024;

/** Runs `f`, letting a refusal pass so a later pass still sees the input. */
function refusedOk(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof HttpFrontError)) throw e;
  }
}

/** Every head in `b` (pipelined requests), then what a WebSocket upgrade would check of each. */
function parseHeads(b: Uint8Array, limits?: HeadLimits): void {
  for (let rest = b, n = 0; rest.length > 0 && n < 64; n++) {
    const h = parseRequestHead(rest, limits);
    if (!h) return;
    headerValue(h.headers, "host");
    if (wantsWebSocket(h.headers)) checkHandshake(h.method, h.minor, h.headers);
    rest = rest.subarray(h.size);
  }
}

const requestHead: FuzzTarget = {
  name: "http-head",
  accepted: FRONT,
  seeds: () => [
    ...GOOD_HEADS.map((t) => utf8(t.head)),
    ...BAD_HEADS.filter((t) => t.head.length < 2000).map((t) => utf8(t.head)),
    utf8(
      "GET /live/a.flv HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    ),
    utf8("GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\n"),
  ],
  run: (b) => {
    // The head as it arrives: half of it first (must wait or refuse), then all of it.
    const half = b.subarray(0, b.length >> 1);
    refusedOk(() => parseRequestHead(half, SMALL_HEAD));
    refusedOk(() => parseHeads(b, SMALL_HEAD));
    parseHeads(b);
  },
};

const chunked: FuzzTarget = {
  name: "http-chunked",
  accepted: FRONT,
  seeds: () =>
    CHUNKED_CASES.filter((c) => c.pieces.join("").length < 2000).map((c) => framed(c.pieces.map(utf8))),
  run: async (b) => {
    const d = new ChunkedDecoder(new ConnReader(fakeConn(unframe(b))));
    let received = 0;
    // Odd piece sizes so a chunk is often taken in several reads.
    for (let piece = await d.next(700); piece; piece = await d.next(700)) {
      received += piece.length;
      if (received > BODY_LIMIT) {
        throw new HttpFrontError("too_large", 413, `fuzz body over ${BODY_LIMIT} bytes`);
      }
    }
    if (!d.done) throw new Error("chunked decoder returned null before the last chunk");
  },
};

/** A client frame whose 64-bit length field carries a small length (legal, if wasteful). */
function longForm(payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.set([0x80 | OP.binary, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, payload.length, 9, 8, 7, 6]);
  f.set(payload.map((x, i) => x ^ [9, 8, 7, 6][i & 3]), 14);
  return f;
}

const websocket: FuzzTarget = {
  name: "ws-frames",
  accepted: FRONT,
  seeds: () => [
    framed(WS_SESSION),
    // The same session in one read.
    framed([Uint8Array.from(WS_SESSION.flatMap((f) => [...f]))]),
    ...WS_FRAME_ERRORS.map(([, f]) => framed([f])),
    framed([0, 125, 126, 900].map((n) => clientFrame(OP.binary, bytes(n)))),
    framed([clientFrame(OP.text, utf8("héllo"), false), longForm(bytes(5)), clientFrame(OP.pong, bytes(3))]),
  ],
  run: async (b) => {
    const pieces = unframe(b);
    // The socket's read loop (reassembly, ping, close) swallows its errors into the close
    // reason: a refusal there is a WebSocket message, anything else is a crasher.
    const conn = fakeConn(pieces);
    const ws = new FrontWebSocket(conn, new ConnReader(conn), { maxMessage: WS_LIMIT });
    ws.accept();
    await ws.run();
    const reason = await ws.closed;
    if (reason.startsWith("websocket error:") && !reason.startsWith("websocket error: WebSocket ")) {
      throw new Error(`socket read loop failed: ${reason}`);
    }
    // Then the frame parser alone, whose refusals count.
    const r = new ConnReader(fakeConn(pieces));
    while (await readFrame(r, WS_LIMIT));
  },
};

export const HTTP_TARGETS: readonly FuzzTarget[] = [requestHead, chunked, websocket];
