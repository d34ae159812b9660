import assert from "node:assert/strict";
import { ProtocolError } from "../core/errors.ts";
import {
  buildHvcc,
  h265CodecString,
  H265Nal,
  h265NalType,
  h265ReorderDepth,
  h265Track,
  h265TrackFromHvcc,
  isH265Keyframe,
  parseH265Sps,
  parseHvcc,
} from "./h265.ts";
import { joinAvcc, splitAnnexB } from "./nal.ts";
import { fixture, hex, toHex } from "./_fixture_test_util.ts";

// Fixtures made by ffmpeg/libx265.
const cases = [
  {
    file: "h265_320x240_main_30.h265",
    reorder: 2,
    profile: 1,
    level: 60,
    width: 320,
    height: 240,
    fps: 30,
    depth: 8,
    codecs: "hvc1.1.6.L60.90",
  },
  // 1080 lines are coded as 1088 and cut by the conformance window.
  {
    file: "h265_1920x1080_main_25.h265",
    reorder: 2,
    profile: 1,
    level: 120,
    width: 1920,
    height: 1080,
    fps: 25,
    depth: 8,
    codecs: "hvc1.1.6.L120.90",
  },
  {
    file: "h265_352x288_main10.h265",
    reorder: 2,
    profile: 2,
    level: 60,
    width: 352,
    height: 288,
    fps: 30,
    depth: 10,
    codecs: "hvc1.2.4.L60.90",
  },
];

function paramSets(file: string) {
  const nals = splitAnnexB(fixture(file));
  const of = (t: number) => nals.filter((n) => h265NalType(n) === t);
  return { nals, vps: of(H265Nal.vps)[0], sps: of(H265Nal.sps)[0], pps: of(H265Nal.pps) };
}

Deno.test("parseH265Sps / h265Track on real x265 streams", () => {
  for (const c of cases) {
    const { vps, sps, pps } = paramSets(c.file);
    const info = parseH265Sps(sps);
    assert.equal(info.profile, c.profile, c.file);
    assert.equal(info.level, c.level, c.file);
    assert.equal(info.width, c.width, c.file);
    assert.equal(info.height, c.height, c.file);
    assert.equal(info.fps, c.fps, c.file);
    assert.equal(info.chromaFormat, 1, c.file);
    assert.equal(info.bitDepth, c.depth, c.file);
    assert.equal(h265ReorderDepth(sps), c.reorder, c.file);
    const t = h265Track(vps, sps, pps);
    assert.equal(t.width, c.width);
    assert.equal(h265CodecString(t), c.codecs, c.file);
  }
});

Deno.test("hvcC build → parse → track round trip", () => {
  for (const c of cases) {
    const { vps, sps, pps } = paramSets(c.file);
    const hvcc = buildHvcc(vps, sps, pps);
    const parsed = parseHvcc(hvcc);
    assert.equal(parsed.profile, c.profile);
    assert.equal(parsed.level, c.level);
    assert.equal(parsed.bitDepth, c.depth);
    assert.equal(parsed.lengthSize, 4);
    assert.deepEqual([parsed.vps, parsed.sps, parsed.pps].map((l) => l.map(toHex)), [
      [toHex(vps)],
      [toHex(sps)],
      pps.map(toHex),
    ]);
    assert.deepEqual(h265TrackFromHvcc(hvcc), h265Track(vps, sps, pps));
  }
});

Deno.test("isH265Keyframe detects IRAP pictures", () => {
  const { nals } = paramSets("h265_320x240_main_30.h265");
  const types = nals.map(h265NalType);
  assert.ok(types.includes(H265Nal.idr_n_lp) || types.includes(H265Nal.idr_w_radl));
  assert.equal(isH265Keyframe(joinAvcc(nals.filter((n) => h265NalType(n) >= 16))), true);
  assert.equal(isH265Keyframe(joinAvcc(nals.filter((n) => h265NalType(n) < 16))), false);
});

Deno.test("H.265 parsers reject malformed input with ProtocolError", () => {
  const { sps } = paramSets("h265_320x240_main_30.h265");
  assert.throws(() => parseH265Sps(sps.subarray(0, 10)), ProtocolError);
  assert.throws(() => parseH265Sps(sps.subarray(0, 20)), ProtocolError);
  assert.throws(() => parseHvcc(new Uint8Array(10)), /at least 23/);
});

Deno.test("h265ReorderDepth: 0 without B-frames, 2 when the SPS cannot be read", () => {
  // The SPS of an x265 stream made with bframes=0 (sps_max_num_reorder_pics 0).
  const noB = hex("42010101600000030090000003000003003ca00a080f165ba4a4c2f0168080000003008000000f04");
  assert.equal(h265ReorderDepth(noB), 0);
  const { sps } = paramSets("h265_320x240_main_30.h265");
  assert.equal(h265ReorderDepth(sps.subarray(0, 20)), 2);
});
