import assert from "node:assert/strict";
import type { Frame, H264Track, Track } from "../../core/mod.ts";
import { joinAvcc } from "../../codecs/mod.ts";
import { WebrtcRtpOut } from "./rtp_out.ts";

const H264: H264Track = {
  kind: "video",
  codec: "h264",
  clockRate: 90000,
  width: 320,
  height: 240,
  fps: 30,
  sps: new Uint8Array([0x67, 0x64, 0x00, 0x1f, 0xac]),
  pps: [new Uint8Array([0x68, 0xee, 0x3c, 0x80])],
  profile: 0x64,
  compat: 0,
  level: 0x1f,
};

// Slice NALs: header, then first_mb_in_slice = 0 and slice_type (I 7, P 5, B 6) as ue(v).
const idr = new Uint8Array([0x65, 0x88, 0x80, 1, 2]);
const p = new Uint8Array([0x41, 0x98, 0x80, 3, 4]);
const b = new Uint8Array([0x01, 0x9c, 0x80, 5, 6]);

function frame(nal: Uint8Array, dts: number, pts: number, key = false): Frame {
  return { track: H264, dts: dts * 3000, pts: pts * 3000, key, data: joinAvcc([nal]) };
}

/** I P B B in decode order, presented I B B P. */
const GOP = [frame(idr, 0, 1, true), frame(p, 1, 4), frame(b, 2, 2), frame(b, 3, 3)];

Deno.test("rtp out: B pictures are left out by default (drop), once per stream; pass sends them", () => {
  const drop = new WebrtcRtpOut(1200, 1000);
  assert.deepEqual(GOP.map((f) => drop.packets(f).length), [1, 1, 0, 0]);
  assert.equal(drop.bframesDropped, 2);
  // The same frame again (another viewer): the memo, not a second check.
  assert.equal(drop.packets(GOP[2]).length, 0);
  assert.equal(drop.bframesDropped, 2);
  const pass = new WebrtcRtpOut(1200, 1000, "pass");
  assert.deepEqual(GOP.map((f) => pass.packets(f).length), [1, 1, 1, 1]);
  assert.equal(pass.bframesDropped, 0);
  // Without reordering (pts = dts) nothing is inspected or dropped, B slices or not.
  const plain = new WebrtcRtpOut(1200, 1000);
  assert.equal(plain.packets(frame(b, 5, 5)).length, 1);
});

Deno.test("rtp out: a frame the payload format cannot carry is left out and counted, not thrown", () => {
  const av1: Track = {
    kind: "video",
    codec: "av1",
    clockRate: 90000,
    width: 320,
    height: 240,
    fps: 30,
    config: new Uint8Array([0x81, 0, 0x0c, 0]),
  };
  const out = new WebrtcRtpOut(1200, 1000);
  // An OBU header with a size field that runs past the end.
  const bad: Frame = { track: av1, dts: 0, pts: 0, key: true, data: new Uint8Array([0x32, 0x7f, 1, 2]) };
  assert.deepEqual(out.packets(bad), []);
  assert.equal(out.badFrames, 1);
  const good: Frame = { track: av1, dts: 3000, pts: 3000, key: false, data: new Uint8Array([0x32, 2, 1, 2]) };
  assert.equal(out.packets(good).length, 1);
});
