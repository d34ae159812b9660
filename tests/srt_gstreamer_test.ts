/** GStreamer as an SRT client: srtsink (mpegtsmux alignment=7) publishes, srtsrc plays. */
import assert from "node:assert/strict";
import {
  decodedFrames,
  requireTool,
  run,
  spawnBackground,
  startTestServer,
  waitLive,
} from "./support/mod.ts";
import { waitNoSessions } from "./support/srt_client.ts";

const LIVE = { audio: false, videoFrames: 11 };

Deno.test("GStreamer srtsink publishes H.264+AAC; srtsrc and ffmpeg play it", async () => {
  requireTool("gst-launch-1.0");
  requireTool("ffmpeg");
  // gst-launch dies on SIGTERM without an SRT SHUTDOWN: the idle timeout ends its session.
  const ts = await startTestServer({ srt: { maxidle: 2 } });
  const pub = spawnBackground("gst-launch-1.0", [
    "-q",
    "videotestsrc",
    "is-live=true",
    "pattern=ball",
    "!",
    "video/x-raw,width=320,height=240,framerate=30/1",
    "!",
    "x264enc",
    "tune=zerolatency",
    "speed-preset=veryfast",
    "key-int-max=30",
    "!",
    "video/x-h264,profile=baseline",
    "!",
    "h264parse",
    "!",
    "queue",
    "!",
    "mux.",
    "audiotestsrc",
    "is-live=true",
    "!",
    "audioconvert",
    "!",
    "avenc_aac",
    "!",
    "aacparse",
    "!",
    "queue",
    "!",
    "mux.",
    "mpegtsmux",
    "name=mux",
    "alignment=7",
    "!",
    "srtsink",
    `uri=srt://127.0.0.1:${ts.port("srt")}`,
    "latency=120",
    "streamid=#!::r=live/gst,m=publish",
  ]);
  try {
    await waitLive(ts.hub, "live/gst", LIVE);
    const s = ts.hub.get("live/gst")!;
    assert.equal(s.videoTrack?.codec, "h264");
    assert.equal(s.audioTrack?.codec, "aac");
    const [gst, ff] = await Promise.all([
      run("gst-launch-1.0", [
        "-q",
        "srtsrc",
        `uri=srt://127.0.0.1:${ts.port("srt")}`,
        "latency=120",
        "streamid=#!::r=live/gst,m=request",
        "!",
        "tsdemux",
        "!",
        "h264parse",
        "!",
        "avdec_h264",
        "!",
        "identity",
        "eos-after=60",
        "!",
        "fakesink",
      ], { timeoutMs: 15_000 }),
      decodedFrames(ts.srt("#!::r=live/gst,m=request"), {
        frames: 60,
        timeoutMs: 15_000,
      }),
    ]);
    assert.equal(gst.code, 0, `srtsrc pipeline: ${gst.stderr}${gst.stdout}`);
    assert.ok(!gst.timedOut);
    assert.ok(ff.frames >= 54, `ffmpeg decoded ${ff.frames}/60: ${ff.stderr}`);
  } finally {
    await pub.stop();
    await waitNoSessions(ts);
    await ts.close();
  }
});
