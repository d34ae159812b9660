/**
 * The WebSocket idle deadline (<http><wsidletimeout>): the server pings a silent client after half
 * of it and closes the socket when that ping goes unanswered. Real players answer pings and are
 * never cut: mpegts.js in headless Chromium plays WS-FLV for three idle periods, and ffmpeg decodes a
 * WS-FLV stream for as long. A client that never answers is closed with 1001 and one log line.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import {
  AAC,
  CHROMIUM_ARGS,
  decodedFrames,
  ffmpegPublish,
  H264B,
  npmFile,
  requireTool,
  startTestServer,
  waitLive,
  wsBytes,
} from "./support/mod.ts";

requireTool("chromium");
requireTool("ffmpeg");

const IDLE_S = 2;

const MPEGTS_PAGE = (path: string) =>
  `<!doctype html><html><body>
<video id="v" muted autoplay playsinline width="640"></video>
<script src="/mpegts.js"></script>
<script>
const v = document.getElementById("v");
window.errors = [];
const p = mpegts.createPlayer({ type: "flv", isLive: true, url: "ws://" + location.host + ${
    JSON.stringify(path)
  } });
p.on(mpegts.Events.ERROR, (t, d) => window.errors.push(t + ":" + d));
p.attachMediaElement(v);
p.load();
v.play().catch(() => {});
window.state = () => ({ t: v.currentTime, w: v.videoWidth });
</script></body></html>`;

Deno.test("ws idle: mpegts.js (Chromium) and ffmpeg play WS-FLV through 3 idle periods; a silent client is closed", async () => {
  const mpegtsJs = await npmFile("mpegts.js", "1.8.2", "dist/mpegts.js");
  const ts = await startTestServer({ http: { wsidletimeout: IDLE_S } }, {
    files: {
      "html/mpegts.js": await Deno.readTextFile(mpegtsJs),
      "html/ws.html": MPEGTS_PAGE("/live/cam.flv"),
    },
  });
  const wsUrl = `ws://127.0.0.1:${ts.ports.http}/live/cam.flv`;
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/cam"),
    format: "flv",
    seconds: 40,
    video: H264B,
    audio: AAC,
  });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    await waitLive(ts.hub, "live/cam");

    // A client that completes the handshake, then reads and never answers: pinged, then closed.
    const silent = await silentClient(ts.ports.http);

    const page = await browser.newPage();
    await page.goto(ts.http("/ws.html"));
    const sample = () =>
      page.evaluate(() => (globalThis as unknown as { state(): { t: number; w: number } }).state());
    // ffmpeg reads WS-FLV through a client that answers pings as RFC 6455 requires.
    const ffmpeg = decodedFrames("-", { frames: 3 * IDLE_S * 30, timeoutMs: 30_000, stdin: wsBytes(wsUrl) });

    let first: { t: number; w: number } | undefined;
    let last = await sample();
    const end = Date.now() + 25_000;
    while (Date.now() < end) {
      last = await sample();
      if (last.t > 0 && !first) first = last;
      if (first && last.t - first.t >= 3 * IDLE_S) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const errors = await page.evaluate(() => (globalThis as unknown as { errors: string[] }).errors);
    assert.ok(
      first && last.t - first.t >= 3 * IDLE_S,
      `mpegts.js played ${first ? (last.t - first.t).toFixed(1) : 0} s over WS-FLV; ${errors.join("; ")}`,
    );
    assert.equal(last.w, 640);
    assert.deepEqual(errors, []);
    const { frames } = await ffmpeg;
    assert.equal(frames, 3 * IDLE_S * 30, "ffmpeg decoded through three idle periods");

    const s = await silent;
    assert.ok(s.pings >= 1, "the silent client was pinged");
    assert.equal(s.closeCode, 1001);
    assert.ok(
      s.afterMs >= IDLE_S * 1000 * 0.9 && s.afterMs <= IDLE_S * 1000 * 2 + 2500,
      `closed after ${s.afterMs} ms (idle ${IDLE_S} s)`,
    );
    assert.ok(
      ts.lines.some((l) => l.includes("idle timeout: no frame from the client")),
      "one log line says why",
    );
  } finally {
    await browser.close();
    await pub.stop();
    await ts.close();
  }
});

/** Upgrades, then reads frames until the server closes; never sends a byte after the handshake. */
async function silentClient(port: number): Promise<{ pings: number; closeCode: number; afterMs: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await conn.write(
    new TextEncoder().encode(
      `GET /live/cam.flv HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ),
  );
  const t0 = performance.now();
  return (async () => {
    let buf = new Uint8Array(0);
    let headDone = false;
    let pings = 0;
    const chunk = new Uint8Array(256 * 1024);
    try {
      for (;;) {
        const n = await conn.read(chunk);
        if (n === null) return { pings, closeCode: -1, afterMs: performance.now() - t0 };
        const next = new Uint8Array(buf.length + n);
        next.set(buf);
        next.set(chunk.subarray(0, n), buf.length);
        buf = next;
        if (!headDone) {
          const end = new TextDecoder().decode(buf).indexOf("\r\n\r\n");
          if (end < 0) continue;
          assert.match(new TextDecoder().decode(buf.subarray(0, 12)), /^HTTP\/1.1 101/);
          buf = buf.slice(end + 4);
          headDone = true;
        }
        for (;;) {
          if (buf.length < 2) break;
          let len = buf[1] & 0x7f, o = 2;
          if (len === 126) {
            if (buf.length < 4) break;
            len = (buf[2] << 8) | buf[3];
            o = 4;
          } else if (len === 127) {
            if (buf.length < 10) break;
            len = Number(new DataView(buf.buffer, buf.byteOffset + 2, 8).getBigUint64(0));
            o = 10;
          }
          if (buf.length < o + len) break;
          const op = buf[0] & 0x0f;
          if (op === 9) pings++;
          if (op === 8) {
            return { pings, closeCode: (buf[o] << 8) | buf[o + 1], afterMs: performance.now() - t0 };
          }
          buf = buf.slice(o + len);
        }
      }
    } finally {
      conn.close();
    }
  })();
}
