import assert from "node:assert/strict";
import { ConnReader } from "./conn_reader.ts";
import { HttpFrontError } from "./errors.ts";
import { fakeConn } from "./_fake_conn.ts";
import { acceptKey, checkHandshake, closePayload, OP, readFrame } from "./websocket.ts";
import { FrontWebSocket } from "./ws_socket.ts";
import { bytes, clientFrame, WS_FRAME_ERRORS, WS_SESSION } from "./websocket_cases.ts";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const H = (extra: [string, string][] = []): [string, string][] => [
  ["host", "h"],
  ["upgrade", "websocket"],
  ["connection", "keep-alive, Upgrade"],
  ["sec-websocket-version", "13"],
  ["sec-websocket-key", KEY],
  ...extra,
];
const without = (name: string) => H().filter(([n]) => n !== name);

Deno.test("websocket handshake: RFC 6455 §1.3 sample accept key; every missing or bad field is 400", async () => {
  assert.equal(await acceptKey(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert.equal(checkHandshake("GET", 1, H()), KEY);
  const bad: [string, string, number, [string, string][]][] = [
    ["no key", "GET", 1, without("sec-websocket-key")],
    ["key of 15 bytes", "GET", 1, [...without("sec-websocket-key"), [
      "sec-websocket-key",
      btoa("x".repeat(15)),
    ]]],
    ["key not base64", "GET", 1, [...without("sec-websocket-key"), [
      "sec-websocket-key",
      "!".repeat(22) + "==",
    ]]],
    ["no Connection: upgrade", "GET", 1, without("connection")],
    ["Connection without upgrade", "GET", 1, [...without("connection"), ["connection", "keep-alive"]]],
    ["version 8", "GET", 1, [...without("sec-websocket-version"), ["sec-websocket-version", "8"]]],
    ["no version", "GET", 1, without("sec-websocket-version")],
    ["POST", "POST", 1, H()],
    ["HTTP/1.0", "GET", 0, H()],
  ];
  for (const [name, method, minor, headers] of bad) {
    assert.throws(
      () => checkHandshake(method, minor, headers),
      (e: unknown) => e instanceof HttpFrontError && e.status === 400,
      name,
    );
  }
});

Deno.test("websocket frames: 7-, 16- and 64-bit lengths round-trip through the mask", async () => {
  for (const n of [0, 125, 126, 65535, 65536]) {
    const r = new ConnReader(fakeConn([clientFrame(OP.binary, bytes(n))]));
    const f = (await readFrame(r, 1 << 20))!;
    assert.equal(f.opcode, OP.binary);
    assert.deepEqual(f.payload, bytes(n), `${n} bytes`);
  }
});

Deno.test("websocket frames: protocol errors are refused with the close code", async () => {
  for (const [name, frame, code] of WS_FRAME_ERRORS) {
    await assert.rejects(
      () => readFrame(new ConnReader(fakeConn([frame])), 1000),
      (e: unknown) => e instanceof HttpFrontError && e.status === code,
      name,
    );
  }
});

Deno.test("websocket socket: ping gets pong, fragments reassemble, close is answered", async () => {
  const conn = fakeConn(WS_SESSION);
  const ws = new FrontWebSocket(conn, new ConnReader(conn), { maxMessage: 1000 });
  const got: Uint8Array[] = [];
  ws.onmessage = (m) => got.push(m);
  ws.accept();
  await ws.run();
  assert.deepEqual(got, [Uint8Array.of(1, 2, 3)]);
  assert.deepEqual(conn.written[0], Uint8Array.of(0x80 | OP.pong, 1, 7));
  assert.equal(conn.written[1][0], 0x80 | OP.close);
  assert.equal(await ws.closed, "client closed (1000)");
  await assert.rejects(() => ws.send(Uint8Array.of(1)));
});

Deno.test("websocket socket: a message over the limit across fragments closes with 1009", async () => {
  const conn = fakeConn([
    clientFrame(OP.binary, bytes(600), false),
    clientFrame(OP.continuation, bytes(600), true),
  ]);
  const ws = new FrontWebSocket(conn, new ConnReader(conn), { maxMessage: 1000 });
  ws.accept();
  await ws.run();
  const close = conn.written.at(-1)!;
  assert.equal(close[0], 0x80 | OP.close);
  assert.equal((close[2] << 8) | close[3], 1009);
});

Deno.test("websocket close reason: cut to 123 bytes at a character boundary", () => {
  const p = closePayload(1000, "é".repeat(100));
  assert.ok(p.length - 2 <= 123);
  assert.doesNotThrow(() => new TextDecoder("utf-8", { fatal: true }).decode(p.subarray(2)));
});

/** A connection whose client speaks only when the test says so; reads wait until then or close. */
function quietConn() {
  const written: Uint8Array[] = [];
  const pending: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const conn = {
    written,
    say(b: Uint8Array) {
      pending.push(b);
      wake?.();
    },
    async read(buf: Uint8Array): Promise<number | null> {
      while (!pending.length && !closed) await new Promise<void>((r) => wake = r);
      if (closed) return null;
      const p = pending.shift()!;
      buf.set(p);
      return p.length;
    },
    write(b: Uint8Array): Promise<number> {
      written.push(b.slice());
      return Promise.resolve(b.length);
    },
    close() {
      closed = true;
      wake?.();
    },
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
  };
  return conn as unknown as Deno.Conn & typeof conn;
}

const opcodes = (written: Uint8Array[]) => written.map((w) => w[0] & 0x0f);

Deno.test("websocket idle: a silent client is pinged at half the time and closed (1001) at the end", async () => {
  const conn = quietConn();
  const ws = new FrontWebSocket(conn, new ConnReader(conn), {
    maxMessage: 1000,
    idleMs: 200,
    closeWaitMs: 50,
  });
  ws.accept();
  const run = ws.run();
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(opcodes(conn.written), [OP.ping], "a ping after half the idle time");
  const why = await ws.closed;
  assert.match(why, /^idle timeout: no frame from the client for \d+ ms$/);
  const close = conn.written.at(-1)!;
  assert.equal(close[0] & 0x0f, OP.close);
  assert.equal((close[2] << 8) | close[3], 1001);
  await run;
});

Deno.test("websocket idle: a client that answers the pings stays open; 0 never pings", async () => {
  const conn = quietConn();
  const ws = new FrontWebSocket(conn, new ConnReader(conn), {
    maxMessage: 1000,
    idleMs: 400,
    closeWaitMs: 50,
  });
  ws.accept();
  const run = ws.run();
  let pongs = 0;
  const answer = setInterval(() => {
    // Answers each ping written since the last look, as a browser does.
    while (pongs < opcodes(conn.written).filter((o) => o === OP.ping).length) {
      pongs++;
      conn.say(clientFrame(OP.pong, new Uint8Array(0)));
    }
  }, 10);
  await new Promise((r) => setTimeout(r, 1300));
  clearInterval(answer);
  assert.equal(ws.readyState, "open");
  assert.ok(pongs >= 2, `${pongs} pings answered in 1300 ms`);
  ws.close();
  conn.say(clientFrame(OP.close, closePayload(1000, "")));
  assert.equal(await ws.closed, "client closed (1000)");
  await run;

  const never = quietConn();
  const ws0 = new FrontWebSocket(never, new ConnReader(never), { maxMessage: 1000, idleMs: 0 });
  ws0.accept();
  const run0 = ws0.run();
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(never.written, []);
  never.close();
  await run0;
});
