/**
 * Real-client checks: `cat init.mp4 seg1.m4s seg2.m4s > x.mp4`, then ffprobe -count_frames must
 * report the codec, size and frame count, and ffmpeg must decode it without errors. Frames come
 * from ffmpeg-made fixtures. Fails loudly when ffmpeg is missing.
 */
import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import type { Track } from "../../core/track.ts";
import { initSegment } from "./init.ts";
import { mediaSegment } from "./segment.ts";
import { concat, ivfMedia, tsMedia } from "./_test_util.ts";

async function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let out;
  try {
    out = await new Deno.Command("timeout", { args: ["30", cmd, ...args], stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    throw new Error(`${cmd} is required for this test (apt install ffmpeg): ${e}`);
  }
  if (out.code === 127) throw new Error(`${cmd} is required for this test (apt install ffmpeg): not found`);
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

interface Stream {
  codec_name: string;
  profile?: string;
  nb_read_frames: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  has_b_frames?: number;
}

/** Writes the file, decodes it with ffmpeg (no errors allowed) and returns ffprobe's streams. */
async function probe(bytes: Uint8Array): Promise<Stream[]> {
  const path = await Deno.makeTempFile({ suffix: ".mp4" });
  try {
    await Deno.writeFile(path, bytes);
    const dec = await run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-f", "null", "-"]);
    assert.equal(dec.code, 0);
    assert.equal(dec.stderr.trim(), "", "ffmpeg reports no decode errors");
    const p = await run("ffprobe", ["-v", "error", "-count_frames", "-show_streams", "-of", "json", path]);
    assert.equal(p.code, 0, p.stderr);
    return (JSON.parse(p.stdout) as { streams: Stream[] }).streams;
  } finally {
    await Deno.remove(path);
  }
}

interface Part {
  track: Track;
  frames: Frame[];
}

/**
 * init + media segments cut at video keyframes (audio cut at the same times), each track's last
 * sample sized by the next segment's first dts.
 */
function fragmented(parts: Part[]): Uint8Array {
  const video = parts.find((p) => p.track.kind === "video");
  const cuts = video
    ? video.frames.filter((f) => f.key).map((f) => f.dts / 90000)
    : [parts[0].frames[0].dts / parts[0].track.clockRate];
  const out = [initSegment(parts.map((p) => p.track))];
  cuts.forEach((start, i) => {
    // The first segment also takes audio from before the first keyframe.
    const from = i === 0 ? -Infinity : start;
    const to = cuts[i + 1] ?? Infinity;
    const tracks = parts.map((p, k) => {
      const seconds = (f: Frame) => f.dts / p.track.clockRate;
      const frames = p.frames.filter((f) => seconds(f) >= from && seconds(f) < to);
      const next = p.frames[p.frames.indexOf(frames.at(-1)!) + 1];
      return { trackId: k + 1, track: p.track, frames, nextDts: next?.dts };
    });
    out.push(mediaSegment({ sequence: i + 1, tracks }));
  });
  return concat(out);
}

const muxed = [
  { file: "h264_aac.mpegts", codecs: ["h264", "aac"], profile: "High", frames: ["30", "45"], bframes: 2 },
  { file: "h265_aac.mpegts", codecs: ["hevc", "aac"], profile: "Main", frames: ["30", "48"], bframes: 0 },
  {
    file: "h264_opus.mpegts",
    codecs: ["h264", "opus"],
    profile: "Constrained Baseline",
    frames: ["30", "51"],
    bframes: 0,
  },
];

for (const c of muxed) {
  Deno.test(`ffprobe/ffmpeg read init + segments built from ${c.file}`, async () => {
    const m = tsMedia(c.file);
    const streams = await probe(fragmented([m.video, m.audio]));
    assert.deepEqual(streams.map((s) => s.codec_name), c.codecs);
    assert.deepEqual(streams.map((s) => s.nb_read_frames), c.frames);
    assert.equal(streams[0].profile, c.profile);
    assert.deepEqual([streams[0].width, streams[0].height], [320, 240]);
    assert.equal(streams[0].has_b_frames, c.bframes);
    assert.equal(streams[1].channels, 2);
    assert.equal(
      Number(streams[1].sample_rate),
      m.audio.track.kind === "audio" ? m.audio.track.sampleRate : 0,
    );
  });
}

Deno.test("ffprobe reads separate per-track init segments (DASH style): H.265 video, Opus audio", async () => {
  const video = tsMedia("h265_aac.mpegts").video;
  const audio = tsMedia("h264_opus.mpegts").audio;
  const [v] = await probe(fragmented([video]));
  assert.deepEqual([v.codec_name, v.nb_read_frames, v.width, v.height], ["hevc", "30", 320, 240]);
  const [a] = await probe(fragmented([audio]));
  assert.deepEqual([a.codec_name, a.nb_read_frames, a.sample_rate, a.channels], ["opus", "51", "48000", 2]);
});

for (const file of ["av1_160x120.ivf", "vp9_160x120.ivf"]) {
  Deno.test(`ffprobe/ffmpeg read init + segment of ${file}`, async () => {
    const m = ivfMedia(file);
    const [s] = await probe(fragmented([m]));
    assert.deepEqual([s.codec_name, s.nb_read_frames, s.width, s.height], [m.track.codec, "10", 160, 120]);
  });
}
