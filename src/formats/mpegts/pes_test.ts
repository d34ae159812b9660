import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import {
  parsePesHeader,
  pesHeaderSize,
  STREAM_ID_AUDIO,
  STREAM_ID_PRIVATE_1,
  STREAM_ID_VIDEO,
  writePesHeader,
} from "./pes.ts";

const WRAP = 2 ** 33;

const cases: {
  name: string;
  streamId: number;
  pts: number;
  dts?: number;
  payloadLength: number;
  size: number;
  want: { pts: number; dts: number; packetLength: number };
}[] = [
  {
    name: "audio, PTS only",
    streamId: STREAM_ID_AUDIO,
    pts: 90000,
    payloadLength: 371,
    size: 14,
    want: { pts: 90000, dts: 90000, packetLength: 8 + 371 },
  },
  {
    name: "video with B-frame offset",
    streamId: STREAM_ID_VIDEO,
    pts: 132000,
    dts: 126000,
    payloadLength: 5000,
    size: 19,
    want: { pts: 132000, dts: 126000, packetLength: 13 + 5000 },
  },
  {
    name: "dts equal to pts is not written",
    streamId: STREAM_ID_VIDEO,
    pts: 42,
    dts: 42,
    payloadLength: 10,
    size: 14,
    want: { pts: 42, dts: 42, packetLength: 18 },
  },
  {
    name: "large video PES is unbounded",
    streamId: STREAM_ID_VIDEO,
    pts: 1,
    payloadLength: 70000,
    size: 14,
    want: { pts: 1, dts: 1, packetLength: 0 },
  },
  {
    name: "largest 33-bit time",
    streamId: STREAM_ID_PRIVATE_1,
    pts: WRAP - 1,
    dts: WRAP - 2,
    payloadLength: 0,
    size: 19,
    want: { pts: WRAP - 1, dts: WRAP - 2, packetLength: 13 },
  },
  {
    name: "times wrap into 33 bits",
    streamId: STREAM_ID_VIDEO,
    pts: WRAP + 3000,
    dts: -3000,
    payloadLength: 0,
    size: 19,
    want: { pts: 3000, dts: WRAP - 3000, packetLength: 13 },
  },
];

for (const c of cases) {
  Deno.test(`PES header: ${c.name}`, () => {
    assert.equal(pesHeaderSize(c), c.size);
    const out = new Uint8Array(c.size);
    assert.equal(writePesHeader(out, 0, c), c.size);
    const h = parsePesHeader(out);
    assert.deepEqual(h, {
      streamId: c.streamId,
      packetLength: c.want.packetLength,
      headerLength: c.size,
      dataAlignment: true,
      pts: c.want.pts,
      dts: c.want.dts,
    });
  });
}

Deno.test("PES header of ffmpeg's first video PES", () => {
  // 00 00 01 e0 | len 0 | 80 c0 0a | PTS 132000 | DTS 126000 (from h264_aac.mpegts)
  const b = Uint8Array.from([
    0,
    0,
    1,
    0xe0,
    0,
    0,
    0x80,
    0xc0,
    0x0a,
    0x31,
    0x00,
    0x09,
    0x07,
    0x41,
    0x11,
    0x00,
    0x07,
    0xd8,
    0x61,
  ]);
  const h = parsePesHeader(b);
  assert.equal(h.pts, 132000);
  assert.equal(h.dts, 126000);
  assert.equal(h.headerLength, 19);
});

Deno.test("PES without optional header (padding stream)", () => {
  const h = parsePesHeader(Uint8Array.from([0, 0, 1, 0xbe, 0, 4, 0xff, 0xff, 0xff, 0xff]));
  assert.equal(h.headerLength, 6);
  assert.equal(h.pts, undefined);
});

const bad: { name: string; bytes: number[] }[] = [
  { name: "too short", bytes: [0, 0, 1] },
  { name: "bad start code", bytes: [0, 0, 2, 0xe0, 0, 0, 0x80, 0x80, 5] },
  { name: "bad marker bits", bytes: [0, 0, 1, 0xe0, 0, 0, 0x40, 0x80, 5, 0, 0, 0, 0, 0] },
  { name: "header length past the end", bytes: [0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 20, 0, 0] },
  { name: "forbidden PTS_DTS_flags 01", bytes: [0, 0, 1, 0xe0, 0, 0, 0x80, 0x40, 5, 0, 0, 0, 0, 0] },
  { name: "header too short for DTS", bytes: [0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 5, 0, 0, 0, 0, 0] },
];
for (const c of bad) {
  Deno.test(`parsePesHeader rejects: ${c.name}`, () => {
    assert.throws(() => parsePesHeader(Uint8Array.from(c.bytes)), ProtocolError);
  });
}
