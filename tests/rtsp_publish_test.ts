/**
 * ffmpeg publishes over RTSP (TCP and UDP) with H264+AAC, H264 (B-frames)+PCMA, H265+PCMU,
 * H264+Opus and VP8+Opus (RFC 7741). Each stream is played, from its first frame, by ffmpeg over RTSP/TCP and RTSP/UDP,
 * by GStreamer rtspsrc over TCP and UDP, and (FLV-compatible codecs) by ffmpeg over RTMP and
 * HTTP-FLV. Every player must get ≥ 80 % of the video frames the server received; ffprobe checks
 * the codecs.
 */
import assert from "node:assert/strict";
import type { Stream } from "../src/core/mod.ts";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  ffprobeJson,
  H264B,
  H264H,
  H265,
  needed,
  OPUS,
  PCMA,
  PCMU,
  startTestServer,
  VP8,
  waitFor,
} from "./support/mod.ts";
import { gstFrames } from "./support/rtsp_client.ts";

const SECONDS = 6;
const SENT = SECONDS * 30;
const MIN = Math.floor(SENT * 0.8);

interface Case {
  name: string;
  video: string[];
  audio: string[];
  codecs: [string, string];
  gst: "h264" | "h265" | "vp8";
  flv: boolean;
}

const CASES: Case[] = [
  { name: "h264-aac", video: H264B, audio: AAC, codecs: ["h264", "aac"], gst: "h264", flv: true },
  { name: "h264b-pcma", video: H264H, audio: PCMA, codecs: ["h264", "pcm_alaw"], gst: "h264", flv: true },
  { name: "h265-pcmu", video: H265, audio: PCMU, codecs: ["hevc", "pcm_mulaw"], gst: "h265", flv: false },
  { name: "h264-opus", video: H264B, audio: OPUS, codecs: ["h264", "opus"], gst: "h264", flv: false },
  { name: "vp8-opus", video: VP8, audio: OPUS, codecs: ["vp8", "opus"], gst: "vp8", flv: false },
];

for (const transport of ["tcp", "udp"] as const) {
  Deno.test(`rtsp publish over ${transport}: 5 codec pairs, each played over RTSP tcp/udp (ffmpeg, gst), RTMP, HTTP-FLV`, async () => {
    // Players ask first and wait for the publisher (<rtmp><notfound>wait, <playwait> 15 s).
    const ts = await startTestServer({ rtmp: { notfound: "wait", playwait: 15 } });
    const { hub } = ts;
    try {
      const results = await Promise.all(CASES.map(async (c) => {
        const name = `${transport}-${c.name}`;
        const url = ts.rtsp(`/live/${name}`);
        const timeoutMs = (SECONDS + 20) * 1000;
        const players: Record<string, Promise<{ frames: number; stderr: string }>> = {
          "ffmpeg rtsp/tcp": decodedFrames(url, { inputArgs: ["-rtsp_transport", "tcp"], timeoutMs }),
          "ffmpeg rtsp/udp": decodedFrames(url, { inputArgs: ["-rtsp_transport", "udp"], timeoutMs }),
          "gst rtsp/tcp": gstFrames(url, { protocol: "tcp", codec: c.gst, frames: MIN, timeoutMs }),
          "gst rtsp/udp": gstFrames(url, { protocol: "udp", codec: c.gst, frames: MIN, timeoutMs }),
        };
        if (c.flv) {
          players["ffmpeg rtmp"] = decodedFrames(ts.rtmp(`/live/${name}`), {
            inputArgs: ["-rw_timeout", "20000000"],
            timeoutMs,
          });
          players["ffmpeg http-flv"] = decodedFrames(ts.http(`/live/${name}.flv`), {
            inputArgs: ["-rw_timeout", "20000000"],
            timeoutMs,
          });
        }
        await new Promise((r) => setTimeout(r, 500)); // players wait for the publisher
        const pub = ffmpegPublish({
          url,
          format: "rtsp",
          seconds: SECONDS,
          size: "320x240",
          video: c.video,
          audio: c.audio,
          extra: ["-rtsp_transport", transport],
        });
        const stream: Stream = await waitFor(() => hub.get(`live/${name}`), 10_000, `${name} published`);
        await new Promise((r) => setTimeout(r, 2500));
        const probe = await ffprobeJson(url, { timeoutMs: 15_000, inputArgs: ["-rtsp_transport", "tcp"] });
        const status = await pub.exited;
        const pubErr = await pub.stop();
        const need = needed(stream.stats.videoFrames, 0.8, MIN);
        const got: Record<string, number> = {};
        for (const [k, p] of Object.entries(players)) {
          const r = await p;
          got[k] = r.frames;
          if (r.frames < need) console.error(`${name} ${k}: ${r.frames} frames\n${r.stderr.slice(-600)}`);
        }
        console.log(name, JSON.stringify(got), `of ${stream.stats.videoFrames}`);
        return { c, name, probe, got, status, pubErr, stream, need };
      }));
      for (const { c, name, probe, got, status, pubErr, stream, need } of results) {
        assert.equal(status.code, 0, `${name} publisher failed: ${pubErr}`);
        const codecs = probe.streams.map((s) => s.codec_name);
        assert.deepEqual(codecs, c.codecs, `${name} codecs`);
        for (const [player, frames] of Object.entries(got)) {
          const sent = stream.stats.videoFrames;
          assert.ok(frames >= need, `${name} ${player}: ${frames} of ${sent} frames (need ${need})`);
        }
      }
      const bad = ts.lines.filter((l) => / ERROR /.test(l));
      assert.deepEqual(bad, []);
    } finally {
      await ts.close();
    }
  });
}
