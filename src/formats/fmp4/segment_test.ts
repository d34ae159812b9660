import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import type { Track } from "../../core/track.ts";
import { opusTrack } from "../../codecs/mod.ts";
import { type Box, children } from "./box.ts";
import { mediaSegment, SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC, type SegmentTrack } from "./segment.ts";
import { all, concat, top, tsMedia, view } from "./_test_util.ts";

interface Sample {
  duration: number;
  size: number;
  flags?: number;
  cts?: number;
}

interface Traf {
  tfhdFlags: number;
  trackId: number;
  defaultFlags?: number;
  baseTime: number;
  trunVersion: number;
  trunFlags: number;
  dataOffset: number;
  samples: Sample[];
}

function parseTraf(traf: Box): Traf {
  const [tfhd, tfdt, trun] = children(traf);
  assert.deepEqual([tfhd.type, tfdt.type, trun.type], ["tfhd", "tfdt", "trun"]);
  const h = view(tfhd);
  const d = view(tfdt);
  assert.equal(d.getUint8(0), 1, "tfdt version 1");
  const r = view(trun);
  const trunFlags = r.getUint32(0) & 0xffffff;
  const samples: Sample[] = [];
  let o = 12;
  for (let i = 0; i < r.getUint32(4); i++) {
    const s: Sample = { duration: r.getUint32(o), size: r.getUint32(o + 4) };
    o += 8;
    if (trunFlags & 0x400) {
      s.flags = r.getUint32(o);
      s.cts = r.getInt32(o + 4);
      o += 8;
    }
    samples.push(s);
  }
  assert.equal(o, trun.payload.length);
  const tfhdFlags = h.getUint32(0) & 0xffffff;
  return {
    tfhdFlags,
    trackId: h.getUint32(4),
    defaultFlags: tfhdFlags & 0x20 ? h.getUint32(8) : undefined,
    baseTime: Number(d.getBigUint64(4)),
    trunVersion: r.getUint8(0),
    trunFlags,
    dataOffset: r.getInt32(8),
    samples,
  };
}

const media = tsMedia("h264_aac.mpegts");

Deno.test("media segment: H.264 with B-frames + AAC, one GOP", () => {
  const v = media.video.frames;
  const k = v.findIndex((f, i) => i > 0 && f.key);
  const vFrames = v.slice(0, k);
  const end = v[k].dts;
  const aFrames = media.audio.frames.filter((f) => (f.dts * 90000) / f.track.clockRate < end);
  const nextA = media.audio.frames[aFrames.length].dts;
  const seg = mediaSegment({
    sequence: 7,
    tracks: [
      { trackId: 1, track: media.video.track, frames: vFrames, nextDts: end },
      { trackId: 2, track: media.audio.track, frames: aFrames, nextDts: nextA },
    ],
  });
  const moof = top(seg, "moof");
  const mdat = top(seg, "mdat");
  assert.equal(moof.offset, 0);
  assert.equal(mdat.offset + mdat.size, seg.length);
  const [mfhd] = children(moof);
  assert.equal(view(mfhd).getUint32(4), 7);
  const [vt, at] = all(moof, "traf").map(parseTraf);

  assert.equal(vt.tfhdFlags, 0x020000);
  assert.equal(vt.trackId, 1);
  assert.equal(vt.baseTime, vFrames[0].dts);
  assert.deepEqual([vt.trunVersion, vt.trunFlags], [1, 0xf01]);
  assert.deepEqual(
    vt.samples,
    vFrames.map((f) => ({
      duration: 3000,
      size: f.data.length,
      flags: f.key ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC,
      cts: f.pts - f.dts,
    })),
  );
  assert.ok(vt.samples.some((s) => s.cts! > 3000), "B-frame reordering survives");

  assert.deepEqual([at.tfhdFlags, at.trackId, at.defaultFlags], [0x020020, 2, SAMPLE_FLAGS_SYNC]);
  assert.equal(at.baseTime, aFrames[0].dts);
  assert.deepEqual([at.trunVersion, at.trunFlags], [0, 0x301]);
  assert.deepEqual(at.samples, aFrames.map((f) => ({ duration: 1024, size: f.data.length })));

  // data_offset (from the moof start) points at each track's samples, in order, in the one mdat.
  assert.equal(vt.dataOffset, mdat.offset + 8);
  const vBytes = concat(vFrames.map((f) => f.data));
  assert.deepEqual(seg.subarray(vt.dataOffset, vt.dataOffset + vBytes.length), vBytes);
  const aBytes = concat(aFrames.map((f) => f.data));
  assert.equal(at.dataOffset, vt.dataOffset + vBytes.length);
  assert.deepEqual(seg.subarray(at.dataOffset), aBytes);
});

function frames(track: Track, dts: number[], data = Uint8Array.of(0xfc, 1, 2)): Frame[] {
  return dts.map((t) => ({ track, dts: t, pts: t, key: true, data }));
}

const opus = opusTrack(2);
const durationCases: { name: string; t: Omit<SegmentTrack, "trackId">; want: number[] }[] = [
  {
    name: "last from nextDts",
    t: { track: opus, frames: frames(opus, [0, 960, 1920]), nextDts: 3000 },
    want: [960, 960, 1080],
  },
  {
    name: "last repeats the previous",
    t: { track: opus, frames: frames(opus, [0, 960, 1880]) },
    want: [960, 920, 920],
  },
  {
    name: "lone Opus frame: from its TOC (20 ms)",
    t: { track: opus, frames: frames(opus, [480]) },
    want: [960],
  },
  {
    name: "lone Opus code-3 frame: 3 × 10 ms",
    t: { track: opus, frames: frames(opus, [0], Uint8Array.of(0xf3, 3)) },
    want: [1440],
  },
  {
    name: "lone AAC frame: 1024",
    t: { track: media.audio.track, frames: frames(media.audio.track, [5]) },
    want: [1024],
  },
  {
    name: "lone video frame: from fps",
    t: { track: media.video.track, frames: frames(media.video.track, [0]) },
    want: [3000],
  },
  {
    name: "backwards dts clamps to 0",
    t: { track: opus, frames: frames(opus, [960, 0]), nextDts: 960 },
    want: [0, 960],
  },
];
for (const c of durationCases) {
  Deno.test(`media segment durations: ${c.name}`, () => {
    const seg = mediaSegment({ sequence: 1, tracks: [{ trackId: 1, ...c.t }] });
    const traf = parseTraf(all(top(seg, "moof"), "traf")[0]);
    assert.deepEqual(traf.samples.map((s) => s.duration), c.want);
  });
}

Deno.test("media segment writes negative composition offsets (trun version 1)", () => {
  const track = media.video.track;
  const f: Frame[] = [
    { track, dts: 6000, pts: 3000, key: true, data: Uint8Array.of(1) },
    { track, dts: 9000, pts: 9000, key: false, data: Uint8Array.of(2) },
  ];
  const traf = parseTraf(
    all(top(mediaSegment({ sequence: 1, tracks: [{ trackId: 1, track, frames: f }] }), "moof"), "traf")[0],
  );
  assert.deepEqual(traf.samples.map((s) => s.cts), [-3000, 0]);
});

Deno.test("media segment leaves out tracks without frames", () => {
  const seg = mediaSegment({
    sequence: 1,
    tracks: [
      { trackId: 1, track: media.video.track, frames: [] },
      { trackId: 2, track: opus, frames: frames(opus, [0]) },
    ],
  });
  const trafs = all(top(seg, "moof"), "traf").map(parseTraf);
  assert.deepEqual(trafs.map((t) => t.trackId), [2]);
});

const bad: { name: string; tracks: SegmentTrack[] }[] = [
  { name: "no frames at all", tracks: [{ trackId: 1, track: opus, frames: [] }] },
  { name: "negative base time", tracks: [{ trackId: 1, track: opus, frames: frames(opus, [-960, 0]) }] },
];
for (const c of bad) {
  Deno.test(`media segment refuses ${c.name}`, () => {
    assert.throws(() => mediaSegment({ sequence: 1, tracks: c.tracks }), RangeError);
  });
}
