/**
 * The real path: ffmpeg publishes over RTMP (H264 High with B-frames + AAC), and ffmpeg plays it
 * back over HTTP-FLV, WS-FLV (a WebSocket client piping into ffmpeg), HTTPS-FLV and WSS-FLV.
 */
import assert from "node:assert/strict";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  ffprobeJson,
  H264H,
  requireTool,
  startTestServer,
  waitLive,
  wsBytes,
} from "./support/mod.ts";

requireTool("ffmpeg");
requireTool("ffprobe");

Deno.test("rtmp publish → http-flv, ws-flv, https-flv, wss-flv: ffmpeg decodes ≥ 200 frames of H264 High + AAC", async () => {
  const ts = await startTestServer({}, { tls: true });
  const cert = ts.cert!;
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/real"),
    format: "flv",
    seconds: 12,
    video: H264H,
    audio: AAC,
  });
  try {
    const plain = `127.0.0.1:${ts.port("http")}/live/real.flv`;
    const secure = `127.0.0.1:${ts.port("https")}/live/real.flv`;
    const tlsArgs = ["-tls_verify", "1", "-ca_file", cert.certFile];
    const rw = ["-rw_timeout", "5000000"];
    const opts = { frames: 200, timeoutMs: 30_000 };
    // Players start while the publisher connects: they wait for it (<rtmp><playwait>).
    const players = {
      "http-flv": decodedFrames(`http://${plain}`, { ...opts, inputArgs: rw }),
      "ws-flv": decodedFrames("-", { ...opts, stdin: wsBytes(`ws://${plain}`) }),
      "https-flv": decodedFrames(`https://${secure}`, { ...opts, inputArgs: [...tlsArgs, ...rw] }),
      "wss-flv": decodedFrames("-", { ...opts, stdin: wsBytes(`wss://${secure}`, { caCerts: [cert.cert] }) }),
    };
    await waitLive(ts.hub, "live/real");
    const probe = await ffprobeJson(`http://${plain}`, { timeoutMs: 15_000, inputArgs: rw });
    const v = probe.streams.find((s) => s.codec_type === "video")!;
    const a = probe.streams.find((s) => s.codec_type === "audio")!;
    assert.deepEqual([v.codec_name, v.profile, v.width, v.height], ["h264", "High", 640, 360]);
    assert.ok((v.has_b_frames ?? 0) > 0, "B-frames survive");
    assert.deepEqual([a.codec_name, a.sample_rate, a.channels], ["aac", "44100", 2]);
    const results = await Promise.all(Object.values(players));
    Object.keys(players).forEach((name, i) => {
      assert.ok(results[i].frames >= 200, `${name} decoded ${results[i].frames}: ${results[i].stderr}`);
    });
  } finally {
    await pub.stop();
    await ts.close();
  }
});
