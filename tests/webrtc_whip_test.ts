/**
 * WHIP ingest: Chromium publishes its fake camera and microphone (H264 + Opus) over WHIP with a
 * Bearer token that the auth callback sees as `token=` (type=webrtc, role=publisher); ffmpeg decodes
 * the stream over RTSP (H264 + Opus) and a WHEP viewer in a second page plays it. A wrong token is
 * 403, a second publisher on the key 409, and DELETE ends the stream.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import {
  CHROMIUM_ARGS,
  decodedFrames,
  ffprobeJson,
  requireTool,
  startTestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";
import { whepPlay } from "./support/whep_client.ts";
import { whipDelete, whipPublish } from "./support/whip_client.ts";

requireTool("chromium");
requireTool("ffmpeg");

const ARGS = [
  ...CHROMIUM_ARGS,
  "--allow-loopback-in-peer-connection",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];

/** Allows token=good only; remembers every query it was asked. */
function authServer() {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const u = new URL(req.url);
    seen.push(`${u.pathname}${u.search}`);
    return new Response(null, { status: u.searchParams.get("token") === "good" ? 200 : 403 });
  });
  return { server, seen, url: `127.0.0.1:${server.addr.port}` };
}

Deno.test("whip: Chromium's camera over WHIP → ffmpeg over RTSP (H264+Opus) and a WHEP viewer; token, 403, 409, DELETE", async () => {
  const auth = authServer();
  const ts = await startTestServer({ authurl: { host: auth.url, router: "/auth", timeout: 2000 } });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  try {
    const pub = await browser.newPage();
    await pub.goto(ts.http("/api/status"));
    const denied = await whipPublish(pub, ts.http("/whip/v1?app=live&name=cam"), "bad");
    assert.equal(denied.status, 403, denied.error);

    const r = await whipPublish(pub, ts.http("/whip/v1?app=live&name=cam"), "good");
    assert.equal(r.status, 201, r.error);
    assert.equal(r.state, "connected");
    assert.match(r.location, /\/whip\/v1\/sessions\/[0-9a-f]{32}$/);
    assert.ok(
      auth.seen.some((q) =>
        q.startsWith("/auth/live/cam?") && /token=good/.test(q) && /type=webrtc/.test(q) &&
        /role=publisher/.test(q)
      ),
      auth.seen.join("\n"),
    );
    const stream = await waitLive(ts.hub, "live/cam", { videoFrames: 30, timeoutMs: 20_000 });
    assert.equal(stream.info.from, "webrtc");
    assert.equal(stream.videoTrack?.codec, "h264");
    assert.equal(stream.audioTrack?.codec, "opus");

    // A second publisher on the same key is refused.
    const other = await browser.newPage();
    await other.goto(ts.http("/api/status"));
    const busy = await whipPublish(other, ts.http("/live/cam/whip"), "good");
    assert.equal(busy.status, 409, busy.error);
    await other.close();

    // ffmpeg decodes it over RTSP; ffprobe sees H264 + Opus.
    const url = ts.rtsp("/live/cam?token=good");
    const [probe, dec] = await Promise.all([
      ffprobeJson(url, { timeoutMs: 20_000, inputArgs: ["-rtsp_transport", "tcp"] }),
      decodedFrames(url, { frames: 60, timeoutMs: 30_000, inputArgs: ["-rtsp_transport", "tcp"] }),
    ]);
    const codecs = probe.streams.map((s) => s.codec_name).sort();
    assert.deepEqual(codecs, ["h264", "opus"], JSON.stringify(probe.streams));
    assert.ok(dec.frames >= 60, `ffmpeg decoded ${dec.frames} frames over RTSP: ${dec.stderr}`);

    // A WHEP viewer in a second page plays the WHIP stream (token=good for the player's callback).
    const view = await browser.newPage();
    await view.goto(ts.http("/api/status"));
    const w = await whepPlay(view, ts.http("/whep/v1?app=live&name=cam&token=good"), {
      frames: 60,
      timeoutMs: 25_000,
      audio: true,
    });
    console.log(
      `WHIP → WHEP: first frame ${w.firstFrameMs} ms after POST, ${w.framesDecoded} frames, ${w.videoMime}, ` +
        `${w.audioMime} energy ${
          w.totalAudioEnergy.toFixed(3)
        }, freezes ${w.freezeCount}; RTSP ffmpeg ${dec.frames} frames`,
    );
    assert.equal(w.status, 201, w.error);
    assert.ok(w.framesDecoded >= 60, `WHEP viewer decoded ${w.framesDecoded}`);
    assert.equal(w.videoMime, "video/H264");
    assert.equal(w.audioMime, "audio/opus");
    assert.ok(w.totalAudioEnergy > 0, `audio energy ${w.totalAudioEnergy}`);
    await view.close();

    // DELETE ends the publish: the stream is gone.
    assert.equal(await whipDelete(pub), 200);
    await waitFor(() => ts.hub.get("live/cam") === undefined, 5000, "stream gone after DELETE");
    const lines = ts.lines.filter((l) => l.includes("whip publish"));
    console.log(lines.join("\n"));
    assert.ok(lines.some((l) => l.includes("whip publish stop") && l.includes("DELETE")), lines.join("\n"));
  } finally {
    await browser.close();
    await ts.close();
    await auth.server.shutdown();
  }
});
