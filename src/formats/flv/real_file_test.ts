// Real-file tests: FLVs written by ffmpeg are demuxed and re-muxed byte for byte, and FLVs written
// by our muxer are read by ffprobe. Needs ffmpeg/ffprobe on PATH (fails loudly otherwise).
import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import { dtsMs } from "../../core/frame.ts";
import type { AudioTrack, VideoTrack } from "../../core/track.ts";
import {
  avccToAnnexB,
  H265Nal,
  h265NalType,
  h265Track,
  isH265Keyframe,
  joinAnnexB,
  joinAvcc,
  splitAnnexB,
} from "../../codecs/mod.ts";
import { FlvDemuxer } from "./demux.ts";
import { audioFrameBody, audioSequenceBody, videoEndBody, videoFrameBody, videoSequenceBody } from "./mux.ts";
import { flvHeader, flvTag, readFlvTags } from "./tag.ts";

const fixture = (name: string) => Deno.readFileSync(new URL(`./testdata/${name}`, import.meta.url));

async function run(cmd: string, args: string[], input?: Uint8Array): Promise<string> {
  const p = new Deno.Command("timeout", {
    args: ["20", cmd, ...args],
    stdin: input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input) {
    const w = p.stdin.getWriter();
    await w.write(input);
    await w.close();
  }
  const out = await p.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

interface Demuxed {
  video?: VideoTrack;
  audio?: AudioTrack;
  frames: Frame[];
  /** Every audio/video tag, with what re-muxing it must reproduce. */
  tags: { type: number; timestamp: number; body: Uint8Array; frame: Frame | null }[];
}

function demuxFile(bytes: Uint8Array): Demuxed {
  const d = new FlvDemuxer();
  const result: Demuxed = { frames: [], tags: [] };
  for (const t of readFlvTags(bytes).tags) {
    if (t.type !== 8 && t.type !== 9) continue;
    const frame = t.type === 9 ? d.video(t.body, t.timestamp) : d.audio(t.body, t.timestamp);
    if (frame) result.frames.push(frame);
    result.tags.push({ ...t, frame });
  }
  result.video = d.videoTrack;
  result.audio = d.audioTrack;
  return result;
}

const files = [
  {
    file: "h264_aac.flv",
    video: { profile: 100, width: 320, height: 240 },
    audio: { codec: "aac", rate: 44100, ch: 1 },
  },
  {
    file: "h264_pcma.flv",
    video: { profile: 100, width: 320, height: 240 },
    audio: { codec: "pcma", rate: 8000, ch: 1 },
  },
  { file: "pcmu.flv", audio: { codec: "pcmu", rate: 8000, ch: 1 } },
  { file: "mp3.flv", audio: { codec: "mp3", rate: 44100, ch: 1 } },
];

Deno.test("ffmpeg FLVs: tracks match, and re-muxing every tag reproduces its body", () => {
  for (const f of files) {
    const r = demuxFile(fixture(f.file));
    if (f.video) {
      assert.equal(r.video?.codec, "h264", f.file);
      const v = r.video!;
      assert.deepEqual(
        [v.codec === "h264" ? v.profile : 0, v.width, v.height],
        [f.video.profile, f.video.width, f.video.height],
      );
    }
    assert.deepEqual([r.audio?.codec, r.audio?.sampleRate, r.audio?.channels], [
      f.audio.codec,
      f.audio.rate,
      f.audio.ch,
    ]);
    assert.ok(r.frames.length >= 4, f.file);
    for (const t of r.tags) {
      let want: Uint8Array | null;
      if (t.frame) {
        assert.equal(dtsMs(t.frame), t.timestamp, `${f.file} dts round trip`);
        want = t.type === 9 ? videoFrameBody(t.frame, "legacy") : audioFrameBody(t.frame);
      } else if (t.type === 9) {
        want = t.body[1] === 2 ? videoEndBody(r.video!, "legacy") : videoSequenceBody(r.video!, "legacy");
      } else {
        want = audioSequenceBody(r.audio!);
      }
      assert.deepEqual(want, t.body, `${f.file} tag at ${t.timestamp} ms`);
    }
  }
});

function writeFlv(tags: [8 | 9, number, Uint8Array][], o: { video: boolean; audio: boolean }): Uint8Array {
  const parts = [flvHeader(o), ...tags.map(([type, ts, body]) => flvTag(type, ts, body))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("our H.264 + AAC FLV is read by ffprobe with the same streams and frame counts", async () => {
  const src = demuxFile(fixture("h264_aac.flv"));
  const tags: [8 | 9, number, Uint8Array][] = [
    [9, 0, videoSequenceBody(src.video!, "legacy")],
    [8, 0, audioSequenceBody(src.audio!)!],
  ];
  for (const f of src.frames) {
    tags.push(
      f.track.kind === "video"
        ? [9, dtsMs(f), videoFrameBody(f, "legacy")]
        : [8, dtsMs(f), audioFrameBody(f)],
    );
  }
  const path = await Deno.makeTempFile({ suffix: ".flv" });
  try {
    await Deno.writeFile(path, writeFlv(tags, { video: true, audio: true }));
    const json = JSON.parse(
      await run("ffprobe", ["-v", "error", "-count_frames", "-show_streams", "-of", "json", path]),
    );
    const streams = json.streams as Record<string, string | number>[];
    const v = streams.find((s) => s.codec_type === "video")!;
    const a = streams.find((s) => s.codec_type === "audio")!;
    assert.deepEqual([v.codec_name, v.profile, v.width, v.height], ["h264", "High", 320, 240]);
    assert.deepEqual([a.codec_name, a.sample_rate, a.channels], ["aac", "44100", 1]);
    const count = (k: string) => src.frames.filter((f) => f.track.kind === k).length;
    assert.equal(Number(v.nb_read_frames), count("video"));
    assert.equal(Number(a.nb_read_frames), count("audio"));
    // A full decode must be clean.
    const errors = await run("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"]);
    assert.equal(errors.trim(), "");
  } finally {
    await Deno.remove(path);
  }
});

// Groups an Annex B HEVC stream into access units (first_slice_segment_in_pic_flag starts one).
function hevcAccessUnits(nals: Uint8Array[]): Uint8Array[][] {
  const units: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  let hasVcl = false;
  for (const n of nals) {
    const t = h265NalType(n);
    const startsPicture = t < 32 && (n[2] & 0x80) !== 0;
    if (hasVcl && (startsPicture || (t >= 32 && t <= 40 && t !== 36))) {
      units.push(cur);
      cur = [];
      hasVcl = false;
    }
    cur.push(n);
    if (t < 32) hasVcl = true;
  }
  if (cur.length) units.push(cur);
  return units;
}

Deno.test("HEVC from libx265 in legacy codec id 12: our reader/demuxer round trip, ffprobe decodes the NALs", async () => {
  const annexB = Deno.readFileSync(
    new URL("../../codecs/testdata/h265_320x240_main_30.h265", import.meta.url),
  );
  const nals = splitAnnexB(annexB);
  const of = (t: number) => nals.filter((n) => h265NalType(n) === t);
  const track = h265Track(of(H265Nal.vps)[0], of(H265Nal.sps)[0], of(H265Nal.pps));
  // 33 ms steps: FLV carries whole milliseconds.
  const frames: Frame[] = hevcAccessUnits(nals).map((au, i) => {
    const data = joinAvcc(au.filter((n) => h265NalType(n) < 32 || h265NalType(n) === H265Nal.prefixSei));
    return { track, dts: i * 2970, pts: i * 2970, key: isH265Keyframe(data), data };
  });
  assert.equal(frames.length, 2);
  assert.equal(frames[0].key, true);
  const flv = writeFlv([
    [9, 0, videoSequenceBody(track, "legacy")],
    ...frames.map((f): [9, number, Uint8Array] => [9, dtsMs(f), videoFrameBody(f, "legacy")]),
  ], { video: true, audio: false });
  assert.equal(readFlvTags(flv).tags[0].body[0], 0x1c);

  const back = demuxFile(flv);
  assert.deepEqual(back.video, track);
  assert.deepEqual(
    back.frames.map((f) => [f.dts, f.key, f.data.length]),
    frames.map((f) => [f.dts, f.key, f.data.length]),
  );

  // Annex B rebuilt from the demuxed track and frames decodes in ffmpeg.
  const rebuilt = [
    joinAnnexB([track.vps, track.sps, ...track.pps]),
    ...back.frames.map((f) => avccToAnnexB(f.data)),
  ];
  const stream = Uint8Array.from(rebuilt.flatMap((b) => [...b]));
  const json = JSON.parse(
    await run(
      "ffprobe",
      ["-v", "error", "-f", "hevc", "-count_frames", "-show_streams", "-of", "json", "-"],
      stream,
    ),
  );
  assert.deepEqual(
    [
      json.streams[0].codec_name,
      json.streams[0].width,
      json.streams[0].height,
      json.streams[0].nb_read_frames,
    ],
    ["hevc", 320, 240, "2"],
  );
});
