/**
 * Real-client checks: ffmpeg/ffprobe must decode what TsMuxer writes, and TsDemuxer must read
 * what ffmpeg writes through a pipe. Fails loudly when ffmpeg is missing.
 */
import assert from "node:assert/strict";
import { concat, demux, fixture } from "./_test_util.ts";
import { TsDemuxer } from "./demuxer.ts";
import { TsMuxer } from "./muxer.ts";

async function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let out;
  try {
    out = await new Deno.Command("timeout", { args: ["30", cmd, ...args], stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    throw new Error(`${cmd} is required for this test (apt install ffmpeg): ${e}`);
  }
  const dec = new TextDecoder();
  if (out.code === 127) throw new Error(`${cmd} is required for this test (apt install ffmpeg): not found`);
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

interface Probe {
  streams: {
    codec_name: string;
    nb_read_frames: string;
    width?: number;
    height?: number;
    sample_rate?: string;
    channels?: number;
    has_b_frames?: number;
  }[];
}

const cases = [
  { file: "h264_aac.mpegts", codecs: ["h264", "aac"], frames: ["30", "45"], bframes: 2 },
  { file: "h265_aac.mpegts", codecs: ["hevc", "aac"], frames: ["30", "48"], bframes: 0 },
  { file: "h264_opus.mpegts", codecs: ["h264", "opus"], frames: ["30", "51"], bframes: 0 },
];

for (const c of cases) {
  Deno.test(`ffmpeg decodes TsMuxer's remux of ${c.file} without errors`, async () => {
    const src = demux(fixture(c.file));
    const mux = new TsMuxer({ video: src.tracks[0] as never, audio: src.tracks[1] as never });
    const path = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await Deno.writeFile(path, concat(src.frames.map((f) => mux.mux(f))));
      const dec = await run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-f", "null", "-"]);
      assert.equal(dec.code, 0);
      assert.equal(dec.stderr.trim(), "", "ffmpeg reports no decode errors");
      const probe = await run("ffprobe", [
        "-v",
        "error",
        "-count_frames",
        "-show_streams",
        "-of",
        "json",
        path,
      ]);
      assert.equal(probe.code, 0, probe.stderr);
      const { streams } = JSON.parse(probe.stdout) as Probe;
      assert.deepEqual(streams.map((s) => s.codec_name), c.codecs);
      assert.deepEqual(streams.map((s) => s.nb_read_frames), c.frames);
      assert.equal(streams[0].width, 320);
      assert.equal(streams[0].height, 240);
      assert.equal(streams[0].has_b_frames, c.bframes);
      assert.equal(streams[1].channels, 2);
      assert.equal(
        streams[1].sample_rate,
        String(src.tracks[1].kind === "audio" && src.tracks[1].sampleRate),
      );
    } finally {
      await Deno.remove(path);
    }
  });
}

Deno.test("TsDemuxer reads ffmpeg's live TS output from a pipe (H.264 with B-frames + AAC)", async () => {
  const args = [
    "30",
    "ffmpeg",
    ...["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"],
    ...["-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", "2"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "25", "-pix_fmt", "yuv420p"],
    ...["-c:a", "aac", "-ar", "48000", "-ac", "2", "-f", "mpegts", "pipe:1"],
  ];
  let child;
  try {
    child = new Deno.Command("timeout", { args, stdout: "piped", stderr: "inherit" }).spawn();
  } catch (e) {
    throw new Error(`ffmpeg is required for this test (apt install ffmpeg): ${e}`);
  }
  let video = 0;
  let audio = 0;
  let lastVideoDts = -Infinity;
  let reordered = false;
  const d = new TsDemuxer({
    onTrack: () => {},
    onFrame: (f) => {
      if (f.track.kind === "video") {
        assert.ok(f.dts > lastVideoDts);
        lastVideoDts = f.dts;
        reordered ||= f.pts !== f.dts;
        video++;
      } else audio++;
    },
  });
  for await (const chunk of child.stdout) d.push(chunk);
  d.flush();
  const status = await child.status;
  assert.equal(status.code, 0, "ffmpeg exits cleanly");
  assert.equal(video, 50);
  assert.ok(reordered, "B-frames give pts != dts");
  assert.ok(audio >= 93 && audio <= 95, `audio frames ${audio}`);
  assert.equal(d.stats.garbageBytes + d.stats.ccErrors + d.stats.droppedPes, 0);
});
