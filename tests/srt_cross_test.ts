/** SRT across protocols: SRT publish → RTMP and HTTP-FLV play; RTMP publish → SRT play. */
import assert from "node:assert/strict";
import { createHttpServer, defaultHttpOptions } from "../src/http/mod.ts";
import { nullLogger } from "../src/log/mod.ts";
import { createRtmpServer } from "../src/protocols/rtmp/mod.ts";
import { AAC, decodedFrames, ffmpegPublish, ffprobeJson, H264B, PCMA, requireTool } from "./support/mod.ts";
import { startSrt, waitLive, waitNoSessions } from "./srt_util.ts";

Deno.test("ffmpeg SRT publish → RTMP and HTTP-FLV play; ffmpeg RTMP publish → SRT play", async () => {
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
  const rtmp = createRtmpServer({ hub: f.hub, log: nullLogger, hostname: "127.0.0.1", port: 0 });
  await rtmp.start();
  const fromRtmp = ffmpegPublish({
    url: `rtmp://127.0.0.1:${rtmp.port}/live/fromrtmp`,
    format: "flv",
    seconds: 10,
    video: H264B,
    audio: AAC,
  });
  const g711 = ffmpegPublish({
    url: `rtmp://127.0.0.1:${rtmp.port}/live/alaw`,
    format: "flv",
    seconds: 10,
    size: "320x240",
    video: H264B,
    audio: PCMA,
  });
  const pub = ffmpegPublish({
    url: f.url("#!::r=live/cross,m=publish"),
    format: "mpegts",
    seconds: 10,
    video: H264B,
    audio: AAC,
  });
  try {
    await Promise.all([
      waitLive(f.hub, "live/cross"),
      waitLive(f.hub, "live/fromrtmp"),
      waitLive(f.hub, "live/alaw"),
    ]);
    const flv = `http://127.0.0.1:${http.port}/live/cross.flv`;
    const timeout = ["-rw_timeout", "5000000"];
    const [play, probe, overRtmp, srtFromRtmp, alaw] = await Promise.all([
      decodedFrames(flv, { frames: 60, timeoutMs: 15_000, inputArgs: timeout }),
      ffprobeJson(flv, { timeoutMs: 15_000, inputArgs: timeout }),
      decodedFrames(`rtmp://127.0.0.1:${rtmp.port}/live/cross`, {
        frames: 60,
        timeoutMs: 15_000,
        inputArgs: timeout,
      }),
      decodedFrames(f.url("#!::r=live/fromrtmp,m=request"), { frames: 60, timeoutMs: 15_000 }),
      ffprobeJson(f.url("#!::r=live/alaw,m=request"), { timeoutMs: 15_000 }),
    ]);
    assert.ok(play.frames >= 54, `HTTP-FLV decoded ${play.frames}/60: ${play.stderr}`);
    const av = probe.streams.filter((s) => s.codec_type === "audio" || s.codec_type === "video");
    assert.deepEqual(av.map((s) => s.codec_name).sort(), ["aac", "h264"]);
    assert.ok(overRtmp.frames >= 54, `RTMP decoded ${overRtmp.frames}/60: ${overRtmp.stderr}`);
    assert.ok(
      srtFromRtmp.frames >= 54,
      `SRT from RTMP decoded ${srtFromRtmp.frames}/60: ${srtFromRtmp.stderr}`,
    );
    // G.711 has no standard MPEG-TS carriage: SRT players get the video alone, and the log says so.
    assert.equal(f.hub.get("live/alaw")!.audioTrack?.codec, "pcma");
    assert.deepEqual(alaw.streams.map((s) => s.codec_name), ["h264"]);
    assert.ok(f.lines.some((l) => l.includes("video only") && l.includes("codec=pcma")), "one log line");
  } finally {
    await Promise.all([pub.stop(), fromRtmp.stop(), g711.stop()]);
    await waitNoSessions(f.srv);
    await rtmp.close();
    await http.close();
    await f.close();
  }
});
