/**
 * The HTTP front with raw TCP clients: deadlines (slow head, idle keep-alive, silent connection),
 * the body limit enforced while a chunked upload streams, WebSocket handshakes refused with 400 and
 * no player counted, pipelined requests answered in order, and 1,000 idle connections that leave
 * the server (and a real ffmpeg HTTP-FLV player) running.
 */
import assert from "node:assert/strict";
import { decodedFrames, makeFlv, replayFlv, requireTool, startTestServer, waitFor } from "./support/mod.ts";

requireTool("ffmpeg");

const enc = (s: string) => new TextEncoder().encode(s);

function connect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

/** Reads until the peer closes (or `ms` pass); the text read and whether it closed. */
async function readUntilClosed(
  conn: Deno.Conn,
  ms: number,
): Promise<{ text: string; closed: boolean; at: number }> {
  const t0 = Date.now();
  const buf = new Uint8Array(65536);
  let text = "";
  const timer = setTimeout(() => conn.close(), ms);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) return { text, closed: true, at: Date.now() - t0 };
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
  } catch {
    return { text, closed: Date.now() - t0 < ms - 5, at: Date.now() - t0 };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

const DEADLINES = { http: { headertimeout: 1, idletimeout: 1 } };

Deno.test("http front: a silent connection, a trickled head and an idle keep-alive are closed by their deadlines", async () => {
  const ts = await startTestServer(DEADLINES);
  const port = ts.port("http");
  try {
    const silent = readUntilClosed(await connect(port), 5000);

    const slow = await connect(port);
    await slow.write(enc("GET /api/status HTTP/1.1\r\nHost: a\r\n"));
    const trickle = setInterval(() => slow.write(enc("X-Slow: 1\r\n")).catch(() => {}), 200);
    const slowDone = readUntilClosed(slow, 5000);

    const idle = await connect(port);
    await idle.write(enc("GET /api/status HTTP/1.1\r\nHost: a\r\n\r\n"));
    const idleDone = readUntilClosed(idle, 5000);

    const [s, t, i] = await Promise.all([silent, slowDone, idleDone]);
    clearInterval(trickle);
    assert.ok(s.closed && s.at >= 900 && s.at < 2500, `silent connection closed after ${s.at} ms`);
    assert.ok(t.closed && t.at >= 900 && t.at < 2500, `trickled head closed after ${t.at} ms`);
    assert.ok(i.closed && i.at >= 900 && i.at < 2500, `idle keep-alive closed after ${i.at} ms`);
    assert.match(i.text, /^HTTP\/1\.1 200 /, "the complete request was answered first");
  } finally {
    await ts.close();
  }
});

Deno.test("http front: a chunked upload over httpmaxbody gets 413 before it is all sent, memory stays bounded", async () => {
  const ts = await startTestServer({ http: { httpmaxbody: 1 << 20 } });
  try {
    const conn = await connect(ts.port("http"));
    await conn.write(enc(
      "POST /vod/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n" +
        "Content-Type: multipart/form-data; boundary=XX\r\n\r\n",
    ));
    const answer = readUntilClosed(conn, 20_000);
    const piece = enc("10000\r\n" + "x".repeat(0x10000) + "\r\n");
    const rss0 = Deno.memoryUsage().rss;
    let sent = 0;
    // Up to 100 MB; the server should stop us long before.
    try {
      while (sent < 100 << 20) {
        await conn.write(piece);
        sent += 0x10000;
      }
    } catch { /* the server closed: expected */ }
    const a = await answer;
    assert.match(a.text, /^HTTP\/1\.1 413 /, a.text.slice(0, 200));
    assert.ok(sent < 20 << 20, `${sent} bytes were sent before the server refused`);
    const grew = Deno.memoryUsage().rss - rss0;
    assert.ok(grew < 64 << 20, `RSS grew ${grew} bytes`);
    // The server still serves.
    assert.equal(
      (await fetch(ts.http("/api/status")).then(async (r) => (await r.body?.cancel(), r))).status,
      200,
    );
  } finally {
    await ts.close();
  }
});

Deno.test("http front: WebSocket upgrades without a key or without Connection: upgrade get 400, no player is counted", async () => {
  const ts = await startTestServer();
  const flv = await makeFlv(`${ts.root}/src.flv`, 4);
  const pub = await replayFlv(ts.hub, flv, { name: "cam" });
  const count = async () => {
    const r = await fetch(ts.http("/api/live?app=live&name=cam&cmd=count"));
    return JSON.stringify(await r.json());
  };
  try {
    const before = await count();
    const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    const heads = [
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n`,
      `Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n`,
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short==\r\n`,
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: ${KEY}\r\n`,
    ];
    for (const h of heads) {
      const conn = await connect(ts.port("http"));
      await conn.write(enc(`GET /live/cam.flv HTTP/1.1\r\nHost: a\r\n${h}\r\n`));
      const a = await readUntilClosed(conn, 5000);
      assert.match(a.text, /^HTTP\/1\.1 400 /, h);
    }
    assert.equal(await count(), before, "player counts unchanged");
  } finally {
    pub.stop();
    await ts.close();
  }
});

Deno.test("http front: pipelined keep-alive requests are answered in order; smuggling shapes get 400 and close", async () => {
  const ts = await startTestServer();
  try {
    const conn = await connect(ts.port("http"));
    await conn.write(enc(
      "GET /api/live HTTP/1.1\r\nHost: a\r\n\r\n" +
        "GET /nothing-here-1 HTTP/1.1\r\nHost: a\r\n\r\n" +
        "HEAD /api/status HTTP/1.1\r\nHost: a\r\n\r\n" +
        "GET /nothing-here-2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    ));
    const a = await readUntilClosed(conn, 5000);
    const statuses = [...a.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ["200", "404", "200", "404"], a.text);
    assert.ok(a.text.indexOf("nothing-here-1") < a.text.indexOf("nothing-here-2"), "in order");

    for (
      const h of [
        "POST /api/live HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /api/live HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nxxxxx",
        "GET /api/live HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n",
        "GET /api/live HTTP/1.1\nHost: a\n\n",
      ]
    ) {
      const c = await connect(ts.port("http"));
      await c.write(enc(h + "GET /api/status HTTP/1.1\r\nHost: a\r\n\r\n"));
      const r = await readUntilClosed(c, 5000);
      assert.match(r.text, /^HTTP\/1\.1 400 /, JSON.stringify(h));
      assert.equal(r.text.match(/HTTP\/1\.1/g)?.length, 1, "nothing after the 400: the connection closed");
    }
  } finally {
    await ts.close();
  }
});

Deno.test("http front: 1,000 idle connections under a raised limit; an ffmpeg HTTP-FLV player keeps playing", async () => {
  const ts = await startTestServer({ http: { maxconns: 2000, maxconnsperip: 2000, headertimeout: 60 } });
  const flv = await makeFlv(`${ts.root}/src.flv`, 12);
  const pub = await replayFlv(ts.hub, flv, { name: "cam" });
  const idle: Deno.Conn[] = [];
  try {
    const player = decodedFrames(ts.http("/live/cam.flv"), {
      frames: 240,
      timeoutMs: 30_000,
      inputArgs: ["-rw_timeout", "5000000"],
    });
    for (let i = 0; i < 1000; i++) idle.push(await connect(ts.port("http")));
    await waitFor(
      () => (ts.server.service("http")!.stats() as { conns: number }).conns >= 1000,
      5000,
      "1000 connections held",
    );
    const status = await fetch(ts.http("/api/status"));
    await status.body?.cancel();
    assert.equal(status.status, 200, "the API answers beside 1000 idle connections");
    const p = await player;
    assert.ok(p.frames >= 240, `the player decoded ${p.frames} frames: ${p.stderr.slice(0, 300)}`);
  } finally {
    for (const c of idle) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    pub.stop();
    await ts.close();
  }
});

Deno.test("http front: past maxconnsperip a connection is closed at once; the others are served", async () => {
  const ts = await startTestServer({ http: { maxconnsperip: 3 } });
  const held: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 3; i++) held.push(await connect(ts.port("http")));
    await waitFor(
      () => (ts.server.service("http")!.stats() as { conns: number }).conns >= 3,
      2000,
      "3 connections held",
    );
    const extra = await readUntilClosed(await connect(ts.port("http")), 3000);
    assert.ok(extra.closed && extra.text === "", "the 4th connection is closed without an answer");
    await held[0].write(enc("GET /api/status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
    assert.match((await readUntilClosed(held.shift()!, 3000)).text, /^HTTP\/1\.1 200 /);
  } finally {
    for (const c of held) c.close();
    await ts.close();
  }
});
