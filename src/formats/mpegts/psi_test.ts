import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { parsePacket, TS_PACKET_SIZE } from "./packet.ts";
import {
  crc32Mpeg2,
  encodeDescriptors,
  encodePat,
  encodePmt,
  parseDescriptors,
  parsePat,
  parsePmt,
  type Pat,
  type Pmt,
  psiPacketCount,
  sectionSize,
  STREAM_TYPE_AAC_ADTS,
  STREAM_TYPE_H264,
  STREAM_TYPE_H265,
  STREAM_TYPE_PRIVATE_PES,
  writePsiPackets,
} from "./psi.ts";

const ascii = (s: string) => new TextEncoder().encode(s);

Deno.test("CRC-32/MPEG-2 check value", () => {
  assert.equal(crc32Mpeg2(ascii("123456789")), 0x0376e6e7);
  assert.equal(crc32Mpeg2(new Uint8Array(0)), 0xffffffff);
});

const pats: Pat[] = [
  { transportStreamId: 1, version: 0, programs: [{ number: 1, pid: 0x1000 }] },
  {
    transportStreamId: 0xabcd,
    version: 31,
    programs: [{ number: 0, pid: 0x10 }, { number: 7, pid: 0x1ffe }],
  },
];
for (const pat of pats) {
  Deno.test(`PAT round trip: tsid ${pat.transportStreamId}`, () => {
    assert.deepEqual(parsePat(encodePat(pat)), pat);
  });
}

const opusDescriptors = encodeDescriptors([
  { tag: 0x05, data: ascii("Opus") },
  { tag: 0x7f, data: Uint8Array.from([0x80, 2]) },
]);
const pmts: Pmt[] = [
  {
    programNumber: 1,
    version: 0,
    pcrPid: 0x100,
    streams: [
      { type: STREAM_TYPE_H264, pid: 0x100, descriptors: new Uint8Array(0) },
      { type: STREAM_TYPE_AAC_ADTS, pid: 0x101, descriptors: new Uint8Array(0) },
    ],
  },
  {
    programNumber: 9,
    version: 5,
    pcrPid: 0x101,
    streams: [
      { type: STREAM_TYPE_H265, pid: 0x200, descriptors: new Uint8Array(0) },
      { type: STREAM_TYPE_PRIVATE_PES, pid: 0x201, descriptors: opusDescriptors },
    ],
  },
  { programNumber: 2, version: 1, pcrPid: 0x1fff, streams: [] },
];
for (const pmt of pmts) {
  Deno.test(`PMT round trip: program ${pmt.programNumber}`, () => {
    assert.deepEqual(parsePmt(encodePmt(pmt)), pmt);
  });
}

/** The first section on `pid` in a TS file. */
function firstSection(file: string, pid: number): Uint8Array {
  const b = Deno.readFileSync(new URL(`./testdata/${file}`, import.meta.url));
  for (let o = 0; o < b.length; o += TS_PACKET_SIZE) {
    const h = parsePacket(b, o);
    if (h.pid === pid && h.pusi) {
      const start = o + h.payloadOffset + 1 + b[o + h.payloadOffset];
      return b.subarray(start, start + sectionSize(b, start));
    }
  }
  throw new Error(`no section on PID ${pid}`);
}

const ffmpegTables = [
  { file: "h264_aac.mpegts", types: [STREAM_TYPE_H264, STREAM_TYPE_AAC_ADTS] },
  { file: "h265_aac.mpegts", types: [STREAM_TYPE_H265, STREAM_TYPE_AAC_ADTS] },
  { file: "h264_opus.mpegts", types: [STREAM_TYPE_H264, STREAM_TYPE_PRIVATE_PES] },
];
for (const t of ffmpegTables) {
  Deno.test(`ffmpeg's PAT/PMT parse and re-encode byte for byte: ${t.file}`, () => {
    const patBytes = firstSection(t.file, 0);
    const pat = parsePat(patBytes);
    assert.deepEqual(pat.programs, [{ number: 1, pid: 0x1000 }]);
    assert.deepEqual(encodePat(pat), patBytes);
    const pmtBytes = firstSection(t.file, 0x1000);
    const pmt = parsePmt(pmtBytes);
    assert.deepEqual(pmt.streams.map((s) => s.type), t.types);
    assert.deepEqual(encodePmt(pmt), pmtBytes);
  });
}

Deno.test("ffmpeg's Opus descriptors", () => {
  const pmt = parsePmt(firstSection("h264_opus.mpegts", 0x1000));
  assert.deepEqual(parseDescriptors(pmt.streams[1].descriptors), [
    { tag: 0x05, data: ascii("Opus") },
    { tag: 0x7f, data: Uint8Array.from([0x80, 2]) },
  ]);
});

Deno.test("parseDescriptors drops a truncated descriptor", () => {
  assert.deepEqual(parseDescriptors(Uint8Array.from([5, 1, 9, 6, 4, 1])), [{
    tag: 5,
    data: Uint8Array.from([9]),
  }]);
});

const bad: { name: string; mutate: (s: Uint8Array) => Uint8Array; parse: (s: Uint8Array) => unknown }[] = [
  { name: "PAT with a bad CRC", mutate: (s) => (s[s.length - 1] ^= 1, s), parse: parsePat },
  { name: "PAT with a PMT table_id", mutate: (s) => (s[0] = 2, s), parse: parsePat },
  { name: "truncated PAT", mutate: (s) => s.subarray(0, s.length - 2), parse: parsePat },
  { name: "PMT parsed as PAT-sized", mutate: (s) => s.subarray(0, 8), parse: parsePmt },
];
for (const c of bad) {
  Deno.test(`rejects ${c.name}`, () => {
    const s = c.mutate(encodePat(pats[0]));
    assert.throws(() => c.parse(s), ProtocolError);
  });
}

Deno.test("writePsiPackets spreads a long section over packets with 0xFF stuffing", () => {
  const many = Array.from({ length: 50 }, (_, i) => ({
    type: STREAM_TYPE_PRIVATE_PES,
    pid: 0x100 + i,
    descriptors: opusDescriptors,
  }));
  const section = encodePmt({ programNumber: 1, version: 0, pcrPid: 0x100, streams: many });
  const n = psiPacketCount(section.length);
  assert.equal(n, Math.ceil((section.length + 1) / 184));
  const out = new Uint8Array(n * TS_PACKET_SIZE);
  assert.equal(writePsiPackets(out, 0, 0x1000, section, 14), (14 + n) & 15);
  const joined: number[] = [];
  for (let o = 0; o < out.length; o += TS_PACKET_SIZE) {
    const h = parsePacket(out, o);
    assert.equal(h.pusi, o === 0);
    joined.push(...out.subarray(o + h.payloadOffset + (h.pusi ? 1 : 0), o + TS_PACKET_SIZE));
  }
  assert.deepEqual(Uint8Array.from(joined.slice(0, section.length)), section);
  assert.ok(joined.slice(section.length).every((b) => b === 0xff));
  assert.equal(parsePmt(section).streams.length, 50);
});
