import assert from "node:assert/strict";
import {
  bodyText,
  RtspError,
  type RtspItem,
  RtspParser,
  serializeRequest,
  serializeResponse,
} from "./message.ts";

const enc = new TextEncoder();

function all(p: RtspParser): RtspItem[] {
  const out: RtspItem[] = [];
  for (let i = p.next(); i; i = p.next()) out.push(i);
  return out;
}

Deno.test("rtsp parser: pipelined requests mixed with interleaved frames, fed byte by byte", () => {
  const wire = [
    serializeRequest("OPTIONS", "rtsp://h/live/a", [["CSeq", "1"]]),
    new Uint8Array([0x24, 1, 0, 3, 7, 8, 9]),
    serializeRequest(
      "ANNOUNCE",
      "rtsp://h/live/a",
      [["CSeq", "2"], ["Content-Type", "application/sdp"]],
      "v=0\r\n",
    ),
    new Uint8Array([0x24, 0, 0, 0]),
    enc.encode("GET_PARAMETER rtsp://h/live/a RTSP/1.0\nCSeq: 3\n\n"), // bare LF line ends
  ];
  const bytes = new Uint8Array(wire.flatMap((b) => [...b]));
  const p = new RtspParser();
  const items: RtspItem[] = [];
  for (const b of bytes) {
    p.push(new Uint8Array([b]));
    items.push(...all(p));
  }
  assert.deepEqual(items.map((i) => i.type), ["request", "data", "request", "data", "request"]);
  const [opt, data, ann, empty, get] = items;
  assert.ok(
    opt.type === "request" && opt.request.method === "OPTIONS" && opt.request.headers.get("cseq") === "1",
  );
  assert.ok(data.type === "data" && data.channel === 1);
  assert.deepEqual(data.type === "data" && [...data.payload], [7, 8, 9]);
  assert.ok(ann.type === "request" && bodyText(ann.request) === "v=0\r\n");
  assert.ok(empty.type === "data" && empty.payload.length === 0);
  assert.ok(
    get.type === "request" && get.request.method === "GET_PARAMETER" &&
      get.request.headers.get("CSeq") === "3",
  );
  assert.equal(p.buffered, 0);
});

Deno.test("rtsp parser: responses with repeated headers", () => {
  const p = new RtspParser();
  p.push(
    serializeResponse(401, [["CSeq", "4"], ["WWW-Authenticate", "Digest a"], [
      "WWW-Authenticate",
      "Basic b",
    ]]),
  );
  const [r] = all(p);
  assert.ok(r.type === "response");
  if (r.type !== "response") return;
  assert.equal(r.response.status, 401);
  assert.equal(r.response.reason, "Unauthorized");
  assert.deepEqual(r.response.headers.getAll("www-authenticate"), ["Digest a", "Basic b"]);
});

const bad: [string, string, number][] = [
  ["garbage line", "HELLO WORLD\r\n\r\n", 400],
  ["HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400],
  ["header without colon", "OPTIONS * RTSP/1.0\r\nCSeq 1\r\n\r\n", 400],
  [
    "huge Content-Length",
    "ANNOUNCE rtsp://h/a/b RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 99999999\r\n\r\n",
    413,
  ],
  ["negative Content-Length", "ANNOUNCE rtsp://h/a/b RTSP/1.0\r\nCSeq: 1\r\nContent-Length: -5\r\n\r\n", 400],
  ["endless header", "OPTIONS * RTSP/1.0\r\nX: " + "a".repeat(20000), 400],
];
for (const [name, text, status] of bad) {
  Deno.test(`rtsp parser rejects ${name} with ${status}`, () => {
    const p = new RtspParser();
    p.push(enc.encode(text));
    assert.throws(() => all(p), (e: unknown) => e instanceof RtspError && e.status === status);
  });
}
