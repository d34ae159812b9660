/**
 * SRT across protocols: an SRT publish plays over HTTP-FLV (the HTTP server of src/http).
 * RTMP ↔ SRT follows once src/protocols/rtmp/mod.ts exports createRtmpServer.
 */
import assert from "node:assert/strict";
import { createHttpServer, defaultHttpOptions } from "../src/http/mod.ts";
import { nullLogger } from "../src/log/mod.ts";
import { AAC, decodedFrames, ffmpegPublish, ffprobeJson, H264B, requireTool } from "./support/mod.ts";
import { startSrt, waitLive, waitNoSessions } from "./srt_util.ts";

Deno.test("ffmpeg SRT publish → HTTP-FLV play (ffmpeg)", async () => {
  requireTool("ffmpeg");
  const f = await startSrt();
  const http = createHttpServer({
    deps: {
      hub: f.hub,
      log: nullLogger,
      options: defaultHttpOptions({ playWaitMs: 0 }),
      status: () => ({ services: {}, startTime: new Date() }),
      publicUrls: () => [],
    },
    log: nullLogger,
    hostname: "127.0.0.1",
    port: 0,
  });
  await http.start();
  const pub = ffmpegPublish({
    url: f.url("#!::r=live/cross,m=publish"),
    format: "mpegts",
    seconds: 10,
    video: H264B,
    audio: AAC,
  });
  try {
    await waitLive(f.hub, "live/cross");
    const flv = `http://127.0.0.1:${http.port}/live/cross.flv`;
    const [play, probe] = await Promise.all([
      decodedFrames(flv, { frames: 60, timeoutMs: 15_000, inputArgs: ["-rw_timeout", "5000000"] }),
      ffprobeJson(flv, { timeoutMs: 15_000, inputArgs: ["-rw_timeout", "5000000"] }),
    ]);
    assert.ok(play.frames >= 54, `HTTP-FLV decoded ${play.frames}/60: ${play.stderr}`);
    assert.deepEqual(probe.streams.map((s) => s.codec_name).sort(), ["aac", "h264"]);
  } finally {
    await pub.stop();
    await waitNoSessions(f.srv);
    await http.close();
    await f.close();
  }
});
