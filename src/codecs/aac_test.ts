import assert from "node:assert/strict";
import { ProtocolError } from "../core/errors.ts";
import { aacCodecString, aacFrameSamples, aacTrack, buildAsc, parseAsc } from "./aac.ts";
import { buildAdtsHeader, parseAdtsHeader, splitAdts } from "./adts.ts";
import { fixture, hex, toHex } from "./_fixture_test_util.ts";

// One table feeds parse and (for plain configs) build.
const ascCases = [
  { name: "LC 44100 stereo", asc: "1210", type: 2, rate: 44100, ch: 2, sbr: false, ps: false, plain: true },
  { name: "LC 48000 mono", asc: "1188", type: 2, rate: 48000, ch: 1, sbr: false, ps: false, plain: true },
  { name: "LC 8000 mono", asc: "1588", type: 2, rate: 8000, ch: 1, sbr: false, ps: false, plain: true },
  {
    name: "LC explicit 44056",
    asc: "1780560c08",
    type: 2,
    rate: 44056,
    ch: 1,
    sbr: false,
    ps: false,
    plain: true,
  },
  {
    name: "HE-AAC explicit",
    asc: "2b920800",
    type: 5,
    rate: 44100,
    ch: 2,
    sbr: true,
    ps: false,
    plain: false,
  },
  {
    name: "HE-AAC v2 explicit",
    asc: "eb098800",
    type: 29,
    rate: 48000,
    ch: 2,
    sbr: true,
    ps: true,
    plain: false,
  },
  {
    name: "HE-AAC v2 backward-compatible",
    asc: "139056e5a54880",
    type: 29,
    rate: 44100,
    ch: 2,
    sbr: true,
    ps: true,
    plain: false,
  },
];

Deno.test("AudioSpecificConfig parse/build case table", () => {
  for (const c of ascCases) {
    const t = aacTrack(hex(c.asc));
    assert.equal(t.objectType, c.type, c.name);
    assert.equal(t.sampleRate, c.rate, c.name);
    assert.equal(t.clockRate, c.rate, c.name);
    assert.equal(t.channels, c.ch, c.name);
    const p = parseAsc(hex(c.asc));
    assert.equal(p.sbr, c.sbr, c.name);
    assert.equal(p.ps, c.ps, c.name);
    assert.equal(aacCodecString(t), `mp4a.40.${c.type}`);
    assert.equal(aacFrameSamples(t), c.sbr ? 2048 : 1024);
    if (c.plain) {
      assert.equal(
        toHex(buildAsc({ objectType: c.type, sampleRate: c.rate, channels: c.ch })),
        c.asc,
        c.name,
      );
    }
  }
});

Deno.test("ADTS streams from ffmpeg split into raw frames and config", () => {
  const cases = [
    { file: "aac_44100_stereo.aac", asc: "1210", rate: 44100, ch: 2 },
    { file: "aac_48000_mono.aac", asc: "1188", rate: 48000, ch: 1 },
  ];
  for (const c of cases) {
    const bytes = fixture(c.file);
    const { config, frames } = splitAdts(bytes);
    assert.equal(toHex(config), c.asc);
    assert.ok(frames.length >= 5);
    const t = aacTrack(config);
    assert.equal(t.sampleRate, c.rate);
    assert.equal(t.channels, c.ch);
    // Rebuilding each header gives the original stream back.
    const h = parseAdtsHeader(bytes);
    assert.equal(h.headerLength, 7);
    const rebuilt = frames.flatMap((f) => [...buildAdtsHeader(t, f.length), ...f]);
    const reparsed = splitAdts(Uint8Array.from(rebuilt));
    assert.deepEqual(reparsed.frames.map(toHex), frames.map(toHex));
  }
});

Deno.test("AAC parsers reject malformed input with ProtocolError", () => {
  assert.throws(() => parseAsc(hex("12")), ProtocolError);
  assert.throws(() => parseAsc(hex("16 90")), /samplingFrequencyIndex 13/);
  assert.throws(() => parseAdtsHeader(hex("fff1 5080 2000 ff")), /number_of_raw_data_blocks 4/);
  assert.throws(() => parseAdtsHeader(hex("0000 0000 0000 00")), /sync/);
  assert.throws(() => splitAdts(hex("fff1 5080 2000 fc")), /runs past/);
});
