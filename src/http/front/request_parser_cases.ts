/** The request head tables: the unit tests check them, the fuzzer mutates them. */

/** Good heads: what they parse to. */
export const GOOD_HEADS: { name: string; head: string; want: Record<string, unknown> }[] = [
  {
    name: "plain GET",
    head: "GET /live/a.flv?x=1 HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: ffmpeg\r\n\r\n",
    want: { method: "GET", target: "/live/a.flv?x=1", minor: 1, body: { kind: "none" }, keepAlive: true },
  },
  {
    name: "HTTP/1.0 closes unless keep-alive",
    head: "GET / HTTP/1.0\r\n\r\n",
    want: { minor: 0, keepAlive: false },
  },
  {
    name: "HTTP/1.0 keep-alive",
    head: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
    want: { keepAlive: true },
  },
  {
    name: "Connection: close",
    head: "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    want: { keepAlive: false },
  },
  {
    name: "Content-Length body",
    head: "POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\n",
    want: { body: { kind: "length", length: 12 } },
  },
  {
    name: "chunked body (case-insensitive)",
    head: "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n",
    want: { body: { kind: "chunked" } },
  },
  {
    name: "whitespace around a value is trimmed, names lower-cased",
    head: "GET / HTTP/1.1\r\nHOST: \t h \t\r\n\r\n",
    want: { headers: [["host", "h"]] },
  },
];

/** Hostile or broken heads: the status they get. */
export const BAD_HEADS: { name: string; head: string; status: number }[] = [
  {
    name: "CL with TE",
    head: "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
    status: 400,
  },
  {
    name: "TE with CL",
    head: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
    status: 400,
  },
  {
    name: "two equal CL",
    head: "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
    status: 400,
  },
  {
    name: "two different CL",
    head: "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
    status: 400,
  },
  { name: "CL list", head: "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n", status: 400 },
  { name: "signed CL", head: "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", status: 400 },
  { name: "hex CL", head: "POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\n", status: 400 },
  { name: "huge CL", head: "POST / HTTP/1.1\r\nContent-Length: 9999999999999999\r\n\r\n", status: 400 },
  { name: "TE gzip", head: "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", status: 501 },
  {
    name: "TE gzip, chunked",
    head: "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    status: 501,
  },
  {
    name: "TE chunked twice",
    head: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
    status: 501,
  },
  { name: "TE xchunked", head: "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n", status: 501 },
  { name: "obs-fold", head: "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  continued\r\n\r\n", status: 400 },
  { name: "bare LF line end", head: "GET / HTTP/1.1\nHost: h\r\n\r\n", status: 400 },
  { name: "bare LF head end", head: "GET / HTTP/1.1\r\nHost: h\n\n", status: 400 },
  { name: "bare CR", head: "GET / HTTP/1.1\rHost: h\r\n\r\n", status: 400 },
  { name: "space before colon", head: "GET / HTTP/1.1\r\nHost : h\r\n\r\n", status: 400 },
  { name: "empty name", head: "GET / HTTP/1.1\r\n: h\r\n\r\n", status: 400 },
  { name: "no colon", head: "GET / HTTP/1.1\r\nHost h\r\n\r\n", status: 400 },
  { name: "NUL in value", head: "GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n", status: 400 },
  { name: "CTL in name", head: "GET / HTTP/1.1\r\nX\x01A: a\r\n\r\n", status: 400 },
  { name: "HTTP/2 preface", head: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", status: 505 },
  { name: "HTTP/1.2", head: "GET / HTTP/1.2\r\n\r\n", status: 505 },
  { name: "double space in request line", head: "GET  / HTTP/1.1\r\n\r\n", status: 400 },
  { name: "missing version", head: "GET /\r\n\r\n", status: 400 },
  { name: "bad method", head: "G(T / HTTP/1.1\r\n\r\n", status: 400 },
  { name: "request line too long", head: `GET /${"a".repeat(9000)} HTTP/1.1\r\n\r\n`, status: 414 },
  { name: "too many headers", head: `GET / HTTP/1.1\r\n${"X-A: 1\r\n".repeat(101)}\r\n`, status: 431 },
];
