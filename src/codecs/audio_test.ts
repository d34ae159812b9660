import assert from "node:assert/strict";
import { ProtocolError } from "../core/errors.ts";
import { buildOpusHead, opusPacketSamples, opusTrack, parseOpusHead } from "./opus.ts";
import { g711FrameSamples, g711Track } from "./g711.ts";
import { mp3Track, parseMpegAudioHeader, splitMpegAudio } from "./mp3.ts";
import { fixture, hex, oggPackets, toHex } from "./_fixture_test_util.ts";

Deno.test("OpusHead from libopus Ogg files parses and rebuilds byte for byte", () => {
  const cases = [
    { file: "opus_48000_stereo.ogg", channels: 2, input: 48000 },
    { file: "opus_16000_mono.ogg", channels: 1, input: 16000 },
  ];
  for (const c of cases) {
    const [headBytes, _tags, ...audio] = oggPackets(fixture(c.file));
    const head = parseOpusHead(headBytes);
    assert.equal(head.channels, c.channels);
    assert.equal(head.inputSampleRate, c.input);
    assert.equal(head.mappingFamily, 0);
    assert.equal(toHex(buildOpusHead(head)), toHex(headBytes));
    const t = opusTrack(0, headBytes);
    assert.equal(t.channels, c.channels);
    assert.equal(t.clockRate, 48000);
    // ffmpeg's libopus default is 20 ms frames.
    for (const p of audio) assert.equal(opusPacketSamples(p), 960);
  }
});

Deno.test("Opus TOC → samples per packet (RFC 6716 §3.1)", () => {
  const cases: [number[], number][] = [
    [[0 << 3 | 0], 480], // SILK NB 10 ms, 1 frame
    [[3 << 3 | 1], 5760], // SILK 60 ms, 2 frames
    [[13 << 3 | 2], 1920], // hybrid 20 ms, 2 frames
    [[16 << 3 | 0], 120], // CELT 2.5 ms
    [[31 << 3 | 3, 3], 2880], // CELT 20 ms, code 3 with 3 frames
  ];
  for (const [bytes, want] of cases) {
    assert.equal(opusPacketSamples(Uint8Array.from(bytes)), want, String(bytes));
  }
  assert.throws(() => opusPacketSamples(new Uint8Array()), ProtocolError);
  assert.throws(() => opusPacketSamples(Uint8Array.from([31 << 3 | 3, 63])), /120 ms/);
  assert.throws(() => parseOpusHead(hex("4f707573")), /at least 19/);
});

Deno.test("MPEG audio headers from libmp3lame (MPEG-1, 2 and 2.5)", () => {
  const cases = [
    { file: "mp3_44100_stereo.mp3", version: 1, rate: 44100, ch: 2, spf: 1152 },
    { file: "mp3_22050_mono.mp3", version: 2, rate: 22050, ch: 1, spf: 576 },
    { file: "mp3_8000_mono.mp3", version: 2.5, rate: 8000, ch: 1, spf: 576 },
  ];
  for (const c of cases) {
    const frames = splitMpegAudio(fixture(c.file));
    assert.ok(frames.length >= 4, c.file);
    const h = parseMpegAudioHeader(frames[0]);
    assert.equal(h.version, c.version);
    assert.equal(h.layer, 3);
    assert.equal(h.sampleRate, c.rate);
    assert.equal(h.channels, c.ch);
    assert.equal(h.samplesPerFrame, c.spf);
    assert.deepEqual(mp3Track(h), {
      kind: "audio",
      codec: "mp3",
      clockRate: c.rate,
      sampleRate: c.rate,
      channels: c.ch,
    });
  }
  assert.throws(() => parseMpegAudioHeader(hex("ffe2 f000")), /reserved/);
});

Deno.test("G.711 tracks count one sample per byte per channel", () => {
  const a = g711Track("pcma");
  assert.deepEqual(a, { kind: "audio", codec: "pcma", clockRate: 8000, sampleRate: 8000, channels: 1 });
  assert.equal(g711FrameSamples(a, 160), 160);
  assert.equal(g711FrameSamples(g711Track("pcmu", 16000, 2), 640), 320);
});
