import assert from "node:assert/strict";
import { ProtocolError } from "../core/errors.ts";
import {
  av1CodecString,
  av1Track,
  buildAv1c,
  findAv1SequenceHeader,
  isAv1Keyframe,
  OBU_SEQUENCE_HEADER,
  parseAv1c,
  splitObus,
} from "./av1.ts";
import { parseVp9Frame, vp9Track } from "./vp9.ts";
import { fixture, toHex } from "./_fixture_test_util.ts";

Deno.test("av1C from ffmpeg's MP4 muxer parses, and buildAv1c reproduces it from the OBU stream", () => {
  const av1c = fixture("av1_320x240.av1c");
  const c = parseAv1c(av1c);
  assert.deepEqual([c.profile, c.level, c.tier, c.bitDepth, c.monochrome], [0, 0, 0, 8, false]);
  assert.deepEqual([c.chromaSubsamplingX, c.chromaSubsamplingY], [1, 1]);
  const t = av1Track(av1c);
  assert.deepEqual([t.width, t.height, t.clockRate], [320, 240, 90000]);
  assert.equal(av1CodecString(t), "av01.0.00M.08");

  const obus = fixture("av1_320x240.obu");
  assert.deepEqual(splitObus(obus).map((o) => o.type), [2, OBU_SEQUENCE_HEADER, 6]);
  assert.equal(toHex(buildAv1c(obus).bytes), toHex(av1c));
  assert.equal(findAv1SequenceHeader(obus)?.width, 320);
  assert.equal(isAv1Keyframe(obus), true);
  assert.deepEqual(av1Track(av1c, 640, 480).width, 640);
});

Deno.test("AV1 parsers reject malformed input with ProtocolError", () => {
  assert.throws(() => parseAv1c(new Uint8Array([0x80, 0, 0, 0])), ProtocolError);
  assert.throws(() => splitObus(new Uint8Array([0x0a, 0x20, 1])), /runs past/);
});

Deno.test("VP9 key frame header gives size and profile", () => {
  // frame_marker 2, profile 0, show_existing 0, frame_type 0 (key), show 1, error_res 0, sync, cs 2, range 0,
  // width-1 = 319, height-1 = 239.
  const bits = "10" + "00" + "0" + "0" + "1" + "0" + (0x498342).toString(2).padStart(24, "0") + "010" + "0" +
    (319).toString(2).padStart(16, "0") + (239).toString(2).padStart(16, "0");
  const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, "0");
  const frame = Uint8Array.from(padded.match(/.{8}/g)!, (b) => parseInt(b, 2));
  assert.deepEqual(parseVp9Frame(frame), { key: true, profile: 0, width: 320, height: 240, bitDepth: 8 });
  assert.equal(parseVp9Frame(Uint8Array.from([0b1000_0100, 0])).key, false);
  assert.throws(() => parseVp9Frame(Uint8Array.from([0])), /frame_marker/);
  assert.equal(vp9Track(320, 240).codec, "vp9");
});

Deno.test("vpcC build/parse and VP8 key frame size", async () => {
  const { buildVpcc, parseVpcc } = await import("./vp9.ts");
  const { parseVp8Frame } = await import("./vp8.ts");
  const vpcc = buildVpcc({ profile: 0, level: 31, bitDepth: 8 });
  assert.equal(vpcc.length, 12);
  assert.deepEqual(parseVpcc(vpcc), { profile: 0, level: 31, bitDepth: 8 });
  assert.deepEqual(parseVpcc(vpcc.subarray(4)), { profile: 0, level: 31, bitDepth: 8 });
  const key = Uint8Array.from([0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]);
  assert.deepEqual(parseVp8Frame(key), { key: true, width: 320, height: 240 });
  assert.deepEqual(parseVp8Frame(Uint8Array.from([0x51, 0, 0])).key, false);
});
