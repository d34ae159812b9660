import assert from "node:assert/strict";
import { ProtocolError } from "../core/errors.ts";
import {
  buildAvcc,
  h264CodecString,
  H264Nal,
  h264NalType,
  h264ReorderDepth,
  h264Track,
  h264TrackFromAvcc,
  isH264BFrame,
  isH264Keyframe,
  parseAvcc,
  parseH264Sps,
} from "./h264.ts";
import { joinAvcc, splitAnnexB } from "./nal.ts";
import { fixture, toHex } from "./_fixture_test_util.ts";

// Fixtures made by ffmpeg/libx264 (see the file names for the command's parameters).
const cases = [
  {
    file: "h264_640x360_high_30.h264",
    reorder: 2,
    profile: 100,
    level: 30,
    width: 640,
    height: 360,
    fps: 30,
    chroma: 1,
    depth: 8,
    codecs: "avc1.64001e",
  },
  {
    file: "h264_1280x720_baseline_25.h264",
    // max_num_reorder_frames (B-frames); Baseline has none.
    reorder: 0,
    profile: 66,
    level: 31,
    width: 1280,
    height: 720,
    fps: 25,
    chroma: 1,
    depth: 8,
    codecs: "avc1.42c01f",
  },
  // 1080 lines are coded as 1088 and cropped by 8.
  {
    file: "h264_1920x1080_main_60.h264",
    reorder: 2,
    profile: 77,
    level: 42,
    width: 1920,
    height: 1080,
    fps: 60,
    chroma: 1,
    depth: 8,
    codecs: "avc1.4d402a",
  },
  {
    file: "h264_352x288_high444.h264",
    reorder: 2,
    profile: 244,
    level: 13,
    width: 352,
    height: 288,
    fps: 30,
    chroma: 3,
    depth: 8,
    codecs: "avc1.f4000d",
  },
  {
    file: "h264_352x288_high10.h264",
    reorder: 2,
    profile: 110,
    level: 13,
    width: 352,
    height: 288,
    fps: 30,
    chroma: 1,
    depth: 10,
    codecs: "avc1.6e000d",
  },
];

function paramSets(file: string) {
  const nals = splitAnnexB(fixture(file));
  return {
    nals,
    sps: nals.find((n) => h264NalType(n) === H264Nal.sps)!,
    pps: nals.filter((n) => h264NalType(n) === H264Nal.pps),
  };
}

Deno.test("parseH264Sps / h264Track on real x264 streams", () => {
  for (const c of cases) {
    const { sps, pps } = paramSets(c.file);
    const info = parseH264Sps(sps);
    assert.equal(info.profile, c.profile, c.file);
    assert.equal(info.level, c.level, c.file);
    assert.equal(info.width, c.width, c.file);
    assert.equal(info.height, c.height, c.file);
    assert.equal(info.fps, c.fps, c.file);
    assert.equal(info.chromaFormat, c.chroma, c.file);
    assert.equal(info.bitDepth, c.depth, c.file);
    assert.equal(h264ReorderDepth(sps), c.reorder, c.file);
    const t = h264Track(sps, pps);
    assert.equal(t.codec, "h264");
    assert.equal(t.clockRate, 90000);
    assert.equal(t.width, c.width);
    assert.equal(h264CodecString(t), c.codecs, c.file);
  }
});

Deno.test("avcC build → parse → track round trip", () => {
  for (const c of cases) {
    const { sps, pps } = paramSets(c.file);
    const avcc = buildAvcc(sps, pps);
    const parsed = parseAvcc(avcc);
    assert.equal(parsed.lengthSize, 4);
    assert.equal(parsed.profile, c.profile);
    assert.deepEqual(parsed.sps.map(toHex), [toHex(sps)]);
    assert.deepEqual(parsed.pps.map(toHex), pps.map(toHex));
    const t = h264TrackFromAvcc(avcc);
    assert.deepEqual(t, h264Track(sps, pps));
  }
});

Deno.test("isH264Keyframe finds IDR slices only", () => {
  const { nals } = paramSets("h264_640x360_high_30.h264");
  const idr = nals.filter((n) => h264NalType(n) !== H264Nal.slice);
  const p = nals.filter((n) => h264NalType(n) === H264Nal.slice);
  assert.equal(isH264Keyframe(joinAvcc(idr)), true);
  assert.equal(isH264Keyframe(joinAvcc(p)), false);
});

Deno.test("H.264 parsers reject malformed input with ProtocolError", () => {
  const bad: Uint8Array[] = [
    new Uint8Array([0x67]),
    new Uint8Array([0x68, 1, 2, 3]),
    new Uint8Array([0x67, 100, 0, 30]),
  ];
  for (const b of bad) assert.throws(() => parseH264Sps(b), ProtocolError);
  assert.throws(() => parseAvcc(new Uint8Array([1, 100, 0, 30, 0xff, 0xe1, 0, 50, 1])), /runs past/);
  assert.throws(() => parseAvcc(new Uint8Array([0, 100, 0, 30, 0xff, 0xe1, 0])), /configurationVersion/);
});

Deno.test("h264ReorderDepth falls back to 2 when the SPS cannot be read", () => {
  const { sps } = paramSets("h264_640x360_high_30.h264");
  for (const bad of [sps.subarray(0, 6), new Uint8Array([0x68, 1, 2, 3]), new Uint8Array(0)]) {
    assert.equal(h264ReorderDepth(bad), 2);
  }
});

Deno.test("isH264BFrame: every slice of the access unit is a B slice (slice_type 1 or 6)", () => {
  // NAL header, then first_mb_in_slice = 0 ("1") and slice_type as ue(v), then filler bits.
  const slice = (type: number, ref: number, bits: number) => new Uint8Array([(ref << 5) | type, bits, 0x55]);
  const b = slice(1, 0, 0xa0); // slice_type 1 (B): 1 010
  const b6 = slice(1, 2, 0x9c); // slice_type 6 (B, all slices), a reference B: 1 00111
  const p = slice(1, 2, 0xc0); // slice_type 0 (P): 1 1
  const i = slice(1, 3, 0x88); // slice_type 7 (I): 1 0001000
  const idr = slice(5, 3, 0x88);
  const sei = new Uint8Array([6, 5, 1, 0x80]);
  assert.equal(isH264BFrame(joinAvcc([sei, b])), true);
  assert.equal(isH264BFrame(joinAvcc([b6, b6])), true);
  assert.equal(isH264BFrame(joinAvcc([b, p])), false, "a P slice in the picture");
  assert.equal(isH264BFrame(joinAvcc([p])), false);
  assert.equal(isH264BFrame(joinAvcc([i])), false);
  assert.equal(isH264BFrame(joinAvcc([idr])), false);
  assert.equal(isH264BFrame(joinAvcc([sei])), false, "no slices");
});
