import assert from "node:assert/strict";
import { parseAsc } from "../../aac.ts";
import { decodeAdts, encodeAdts, signal, type SignalKind, snrDb } from "../_ffmpeg_test_util.ts";
import { AacError } from "../errors.ts";
import { AacEncoder } from "./encoder.ts";

interface Case {
  kind: SignalKind;
  rate: number;
  channels: number;
  bitrate?: number;
  /** The least SNR against the input, our decoder on our stream. */
  minSnr: number;
}

// Bars well under what was measured, to catch breakage, not to grade quality (quality_test.ts does).
const cases: Case[] = [
  { kind: "music", rate: 48000, channels: 2, minSnr: 15 },
  { kind: "speech", rate: 44100, channels: 2, minSnr: 15 },
  { kind: "sweep", rate: 32000, channels: 1, minSnr: 10 },
  { kind: "speech", rate: 22050, channels: 1, bitrate: 32000, minSnr: 10 },
  { kind: "music", rate: 16000, channels: 2, bitrate: 48000, minSnr: 10 },
  { kind: "speech", rate: 8000, channels: 1, bitrate: 16000, minSnr: 8 },
  { kind: "bursts", rate: 48000, channels: 2, minSnr: 3 },
];

for (const c of cases) {
  Deno.test(`AAC encoder → our decoder: ${c.kind}, ${c.rate} Hz, ${c.channels} ch`, () => {
    const seconds = 3;
    const pcm = signal(c.kind, c.rate, c.channels, seconds);
    const { adts, encoder } = encodeAdts(pcm, { rate: c.rate, channels: c.channels, bitrate: c.bitrate });
    const asc = parseAsc(encoder.config);
    assert.equal(asc.objectType, 2);
    assert.equal(asc.sampleRate, c.rate);
    assert.equal(asc.channelConfig, c.channels);
    const dec = decodeAdts(adts);
    assert.equal(dec.channels, c.channels);
    const snr = snrDb(pcm, dec.pcm.subarray(encoder.delay * c.channels));
    // The rate: within 3 % of the requested bitrate (fill elements keep it constant).
    const kbps = (adts.length - 7 * encoder.stats.frames) * 8 / (encoder.stats.frames * 1024 / c.rate);
    console.log(
      `${c.kind} ${c.rate} Hz ${c.channels} ch: SNR ${snr.toFixed(1)} dB, ${
        (kbps / 1000).toFixed(1)
      } kbit/s, ` +
        `windows ${encoder.stats.windowSequences.join("/")}, M/S bands ${encoder.stats.msBands}`,
    );
    assert.ok(snr >= c.minSnr, `SNR ${snr.toFixed(1)} dB is under ${c.minSnr} dB`);
    assert.ok(
      Math.abs(kbps - encoder.bitrate) < 0.03 * encoder.bitrate,
      `${kbps} bit/s for ${encoder.bitrate}`,
    );
    if (c.kind === "bursts") {
      assert.ok(encoder.stats.windowSequences[2] > 0, "bursts must switch to short blocks");
    }
    if (c.kind === "sweep") {
      // Only its onset from silence is an attack.
      assert.ok(encoder.stats.windowSequences[2] <= 1, "a sweep needs no short blocks after its onset");
    }
    if (c.channels === 2) assert.ok(encoder.stats.msBands > 0, "stereo must use M/S somewhere");
  });
}

Deno.test("AAC encoder: silence and a full-scale square wave (clipping values) code and decode", () => {
  const rate = 48000;
  const square = new Float32Array(rate * 2).map((_, i) => (Math.floor(i / 50) % 2 ? 1 : -1));
  for (const pcm of [new Float32Array(rate * 2), square]) {
    const { adts, encoder } = encodeAdts(pcm, { rate, channels: 2 });
    const dec = decodeAdts(adts);
    assert.equal(dec.frames, encoder.stats.frames);
    if (pcm === square) assert.ok(snrDb(pcm, dec.pcm.subarray(2 * encoder.delay)) > 10);
    else assert.ok(dec.pcm.every((x) => Math.abs(x) < 1e-3));
  }
});

Deno.test("AAC encoder: bad options and frames are AacErrors naming the value and the rule", () => {
  assert.throws(() => new AacEncoder({ sampleRate: 44000, channels: 2 }), AacError);
  assert.throws(
    () => new AacEncoder({ sampleRate: 96000, channels: 2 }),
    /sample rate 96000 is unsupported: must be a standard AAC rate of 8000\.\.48000 Hz/,
  );
  assert.throws(() => new AacEncoder({ sampleRate: 48000, channels: 3 }), /channel count 3 is unsupported/);
  assert.throws(
    () => new AacEncoder({ sampleRate: 48000, channels: 2, bitrate: 1e6 }),
    /bitrate 1000000 is invalid/,
  );
  const enc = new AacEncoder({ sampleRate: 48000, channels: 2 });
  assert.throws(() => enc.encode([new Float32Array(1024)]), /input of 1 channel\(s\) is invalid/);
  assert.throws(() => enc.encode([new Float32Array(1024), new Float32Array(960)]), /frame of 960 samples/);
  // NaN and infinities are coded as silence; the encoder goes on.
  const bad = new Float32Array(1024).fill(NaN);
  bad[3] = Infinity;
  assert.ok(enc.encode([bad, bad]).length > 0);
});
