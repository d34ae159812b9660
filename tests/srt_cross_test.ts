/** SRT across protocols: SRT publish → RTMP and HTTP-FLV play; RTMP publish → SRT play. */
import assert from "node:assert/strict";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  ffprobeJson,
  H264B,
  PCMA,
  requireTool,
  startTestServer,
  waitLive,
} from "./support/mod.ts";
import { waitNoSessions } from "./support/srt_client.ts";

const LIVE = { audio: false, videoFrames: 11 };

Deno.test("ffmpeg SRT publish → RTMP and HTTP-FLV play; ffmpeg RTMP publish → SRT play", async () => {
  requireTool("ffmpeg");
  const ts = await startTestServer({ rtmp: { notfound: "reject" } });
  const fromRtmp = ffmpegPublish({
    url: ts.rtmp("/live/fromrtmp"),
    format: "flv",
    seconds: 10,
    video: H264B,
    audio: AAC,
  });
  const g711 = ffmpegPublish({
    url: ts.rtmp("/live/alaw"),
    format: "flv",
    seconds: 10,
    size: "320x240",
    video: H264B,
    audio: PCMA,
  });
  const pub = ffmpegPublish({
    url: ts.srt("#!::r=live/cross,m=publish"),
    format: "mpegts",
    seconds: 10,
    video: H264B,
    audio: AAC,
  });
  try {
    await Promise.all([
      waitLive(ts.hub, "live/cross", LIVE),
      waitLive(ts.hub, "live/fromrtmp", LIVE),
      waitLive(ts.hub, "live/alaw", LIVE),
    ]);
    const flv = ts.http("/live/cross.flv");
    const timeout = ["-rw_timeout", "5000000"];
    const [play, probe, overRtmp, srtFromRtmp, alaw] = await Promise.all([
      decodedFrames(flv, { frames: 60, timeoutMs: 15_000, inputArgs: timeout }),
      ffprobeJson(flv, { timeoutMs: 15_000, inputArgs: timeout }),
      decodedFrames(ts.rtmp("/live/cross"), {
        frames: 60,
        timeoutMs: 15_000,
        inputArgs: timeout,
      }),
      decodedFrames(ts.srt("#!::r=live/fromrtmp,m=request"), { frames: 60, timeoutMs: 15_000 }),
      ffprobeJson(ts.srt("#!::r=live/alaw,m=request"), { timeoutMs: 15_000 }),
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
    assert.equal(ts.hub.get("live/alaw")!.audioTrack?.codec, "pcma");
    assert.deepEqual(alaw.streams.map((s) => s.codec_name), ["h264"]);
    assert.ok(ts.lines.some((l) => l.includes("video only") && l.includes("codec=pcma")), "one log line");
  } finally {
    await Promise.all([pub.stop(), fromRtmp.stop(), g711.stop()]);
    await waitNoSessions(ts);
    await ts.close();
  }
});
