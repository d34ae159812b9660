/**
 * GStreamer webrtcbin (python, tests/support/gst_webrtc.py) as a WHIP publisher and as a WHEP player:
 * GStreamer publishes videotestsrc as H264 (x264enc) or VP8 (vp8enc) + Opus over WHIP; a GStreamer
 * WHEP player of the same codec decodes its frames (and Opus audio); ffmpeg also decodes the H264
 * publisher's stream over RTSP. Both sessions end with DELETE (200).
 */
import assert from "node:assert/strict";
import { decodedFrames, requireTool, run, startTestServer, waitLive } from "./support/mod.ts";

requireTool("/usr/bin/python3");
requireTool("gst-launch-1.0");
requireTool("ffmpeg");

const SCRIPT = new URL("./support/gst_webrtc.py", import.meta.url).pathname;

interface GstResult {
  status: number;
  location: string;
  error: string;
  connection: string;
  frames: number;
  video_caps: string;
  audio_buffers: number;
  first_frame_ms: number;
  delete?: number;
}

async function gst(mode: "whip" | "whep", url: string, seconds: number, codec: string): Promise<GstResult> {
  const r = await run("/usr/bin/python3", [SCRIPT, mode, url, String(seconds), codec], {
    timeoutMs: (seconds + 40) * 1000,
  });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as GstResult;
  } catch {
    throw new Error(`gst_webrtc.py ${mode} printed no result (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

for (const codec of ["h264", "vp8"] as const) {
  Deno.test(`webrtc gstreamer: webrtcbin publishes ${codec.toUpperCase()} + Opus over WHIP; a webrtcbin WHEP player decodes it`, async () => {
    const ts = await startTestServer();
    const key = `live/gst${codec}`;
    try {
      const publisher = gst("whip", ts.http(`/whip/v1?app=live&name=gst${codec}`), 30, codec);
      const s = await waitLive(ts.hub, key, { videoFrames: 30, timeoutMs: 25_000 }).catch(async (err) => {
        throw new Error(`${err.message}; publisher: ${JSON.stringify(await publisher)}`);
      });
      assert.equal(s.videoTrack?.codec, codec);
      assert.equal(s.audioTrack?.codec, "opus");
      const [player, rtsp] = await Promise.all([
        gst("whep", ts.http(`/${key}/whep`), 8, codec),
        codec === "h264"
          ? decodedFrames(ts.rtsp(`/${key}`), {
            frames: 60,
            timeoutMs: 20_000,
            inputArgs: ["-rtsp_transport", "tcp"],
          })
          : Promise.resolve(undefined),
      ]);
      console.log(`${codec} WHEP player: ${JSON.stringify(player)}`);
      if (rtsp) console.log(`${codec} over RTSP: ffmpeg decoded ${rtsp.frames} frames`);
      assert.equal(player.status, 201, player.error);
      assert.equal(player.connection, "connected");
      // 8 s of a 30 fps stream: most of its ~240 frames.
      assert.ok(player.frames >= 150, `the WHEP player decoded ${player.frames} frames`);
      assert.match(player.video_caps, /^video\/x-raw/);
      assert.ok(player.audio_buffers >= 100, `the WHEP player decoded ${player.audio_buffers} audio buffers`);
      assert.equal(player.delete, 200);
      if (rtsp) assert.ok(rtsp.frames >= 60, `ffmpeg over RTSP decoded ${rtsp.frames}: ${rtsp.stderr}`);
      const pub = await publisher;
      console.log(`${codec} WHIP publisher: ${JSON.stringify(pub)}`);
      assert.equal(pub.status, 201, pub.error);
      assert.equal(pub.connection, "connected");
      assert.equal(pub.delete, 200);
      assert.ok(ts.lines.some((l) => l.includes("whip publish stop") && l.includes("DELETE")));
    } finally {
      await ts.close();
    }
  });
}
