import assert from "node:assert/strict";
import { nullLogger } from "../../log/mod.ts";
import { fakeConn } from "./_fake_conn.ts";
import { type HotRequest, serveConnection } from "./connection.ts";
import type { FrontLimits } from "./connection.ts";

const LIMITS: FrontLimits = {
  maxConns: 10,
  maxConnsPerIp: 10,
  fdReserve: 0,
  headerTimeoutMs: 1000,
  idleTimeoutMs: 1000,
  wsIdleMs: 0,
  maxBody: 1024,
  maxWsMessage: 1024,
};
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (parts: Uint8Array[]) => parts.map((p) => new TextDecoder().decode(p)).join("");

Deno.test("front hot route: plain keep-alive GETs it takes are answered with its bytes; the rest go to the app", async () => {
  const seen: HotRequest[] = [];
  const hot = (r: HotRequest) => {
    seen.push(r);
    if (r.path === "/live/a.m3u8") return bytes("HOT-SYNC;");
    if (r.path === "/live/a/1.ts") return Promise.resolve(bytes("HOT-ASYNC;"));
    return undefined;
  };
  const fetched: string[] = [];
  const fetch = (req: Request) => {
    fetched.push(`${req.method} ${new URL(req.url).pathname}`);
    return new Response("app", { headers: { "content-length": "3" } });
  };
  // Pipelined: hot, hot (async), hot again on the same connection, then one not taken, a HEAD and
  // an HTTP/1.0 GET (never hot: their answers differ from the prebuilt ones).
  const conn = fakeConn([bytes(
    "GET /live/a.m3u8?x=1 HTTP/1.1\r\nhost: h:1\r\nuser-agent: ua\r\n\r\n" +
      "GET /live/a/1.ts HTTP/1.1\r\nhost: h\r\n\r\n" +
      "GET /live/a.m3u8 HTTP/1.1\r\nhost: h\r\n\r\n" +
      "GET /other HTTP/1.1\r\nhost: h\r\n\r\n" +
      "HEAD /live/a.m3u8 HTTP/1.1\r\nhost: h\r\n\r\n" +
      "GET /live/a.m3u8 HTTP/1.0\r\nconnection: keep-alive\r\n\r\n",
  )]);
  await serveConnection(conn, { fetch, hot, limits: LIMITS, log: nullLogger, tls: false });
  const out = text(conn.written);
  assert.ok(out.startsWith("HOT-SYNC;HOT-ASYNC;HOT-SYNC;HTTP/1.1 200 OK"), out.slice(0, 60));
  assert.deepEqual(fetched.slice(0, 1), ["GET /other"]);
  assert.deepEqual(seen.map((r) => [r.path, r.query, r.host]), [
    ["/live/a.m3u8", "x=1", "h:1"],
    ["/live/a/1.ts", "", "h"],
    ["/live/a.m3u8", "", "h"],
    ["/other", "", "h"],
  ]);
  assert.equal(seen[0].header("user-agent"), "ua");
  assert.equal(seen[0].remoteAddr.hostname, "127.0.0.1");
});

Deno.test("front hot route: a bad target is refused before the route sees it; a failing route gets a 500", async () => {
  let calls = 0;
  const conn = fakeConn([bytes("GET /live/../x.m3u8 HTTP/1.1\r\nhost: h\r\n\r\n")]);
  const fetch = () => new Response("app");
  await serveConnection(conn, {
    fetch,
    hot: () => (calls++, bytes("no")),
    limits: LIMITS,
    log: nullLogger,
    tls: false,
  });
  assert.equal(calls, 0);
  assert.match(text(conn.written), /^HTTP\/1\.1 400 /);

  const failing = fakeConn([bytes("GET /live/a.m3u8 HTTP/1.1\r\nhost: h\r\n\r\n")]);
  await serveConnection(failing, {
    fetch,
    hot: () => Promise.reject(new Error("boom")),
    limits: LIMITS,
    log: nullLogger,
    tls: false,
  });
  assert.match(text(failing.written), /^HTTP\/1\.1 500 .*\r\n[^]*connection: close/);
});
