import assert from "node:assert/strict";
import { ffmpeg, requireFfmpeg, signal, type SignalKind, snrDb } from "../_audio_test_util.ts";
import { oggOpus } from "./_ogg_test_util.ts";
import { OPUS_FRAME_SAMPLES, OpusDecoder, OpusEncoder, OpusError } from "./mod.ts";

/** Encodes interleaved 48 kHz PCM with our encoder into 20 ms packets (the tail zero-padded). */
function encodeOurs(pcm: Float32Array, channels: 1 | 2, bitrate: number, vbr = true) {
  const enc = new OpusEncoder({ channels, bitrate, vbr });
  const packets: Uint8Array[] = [];
  // Enough frames to push the last input sample through the encoder's look-ahead.
  const frames = Math.ceil((pcm.length / channels + enc.lookahead) / OPUS_FRAME_SAMPLES);
  for (let f = 0; f < frames; f++) {
    const planes = Array.from({ length: channels }, () => new Float32Array(OPUS_FRAME_SAMPLES));
    for (let i = 0; i < OPUS_FRAME_SAMPLES; i++) {
      for (let c = 0; c < channels; c++) planes[c][i] = pcm[(f * OPUS_FRAME_SAMPLES + i) * channels + c] ?? 0;
    }
    packets.push(enc.encode(planes));
  }
  const lookahead = enc.lookahead;
  enc.close();
  return { packets, lookahead, samples: pcm.length / channels };
}

async function ffmpegDecodeOgg(ogg: Uint8Array): Promise<Float32Array> {
  const out = await ffmpeg(["-f", "ogg", "-i", "pipe:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"], ogg);
  return new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4);
}

const cases: { kind: SignalKind; channels: 1 | 2; bitrate: number }[] = [
  { kind: "music", channels: 2, bitrate: 96000 },
  { kind: "speech", channels: 2, bitrate: 96000 },
  { kind: "sweep", channels: 2, bitrate: 96000 },
  { kind: "speech", channels: 1, bitrate: 48000 },
];

for (const c of cases) {
  Deno.test(`Opus encoder: ffmpeg decodes our Ogg Opus (${c.kind}, ${c.channels} ch, ${c.bitrate / 1000}k) within 2 dB of ffmpeg's own libopus at the same constant bitrate`, async () => {
    requireFfmpeg();
    const pcm = signal(c.kind, 48000, c.channels, 2);
    // Constant bitrate on both sides: libopus's VBR overshoots its target by different amounts in
    // different versions (ffmpeg's system libopus made 140 kbit/s of a 96 kbit/s target here).
    const ours = encodeOurs(pcm, c.channels, c.bitrate, false);
    const decoded = await ffmpegDecodeOgg(
      oggOpus(ours.packets, { channels: c.channels, preSkip: ours.lookahead, samples: ours.samples }),
    );
    // The pre-skip removes the encoder's delay: the output lines up with the input at sample 0.
    assert.equal(decoded.length, pcm.length, "the end trimming leaves exactly the input's samples");
    const oursSnr = snrDb(pcm, decoded);

    const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    const theirs = await ffmpeg([
      ...["-f", "f32le", "-ar", "48000", "-ac", String(c.channels), "-i", "pipe:0"],
      ...["-c:a", "libopus", "-b:a", String(c.bitrate), "-frame_duration", "20", "-vbr", "off"],
      ...["-f", "ogg", "pipe:1"],
    ], bytes);
    const theirSnr = snrDb(pcm, await ffmpegDecodeOgg(theirs));
    assert.ok(
      oursSnr >= theirSnr - 2,
      `our SNR ${oursSnr.toFixed(1)} dB is more than 2 dB below ffmpeg's libopus ${theirSnr.toFixed(1)} dB`,
    );
    assert.ok(oursSnr > 5, `our SNR ${oursSnr.toFixed(1)} dB`);
  });
}

Deno.test("Opus decoder: decodes our packets as ffmpeg's libopus decoder does", async () => {
  requireFfmpeg();
  const pcm = signal("music", 48000, 2, 1);
  const { packets, lookahead, samples } = encodeOurs(pcm, 2, 96000);
  const dec = new OpusDecoder({ channels: 2 });
  const planes = packets.map((p) => dec.decode(p));
  dec.close();
  assert.ok(planes.every((p) => p.length === 2 && p[0].length === OPUS_FRAME_SAMPLES));
  const ours = new Float32Array(planes.length * OPUS_FRAME_SAMPLES * 2);
  planes.forEach((p, f) => {
    for (let i = 0; i < OPUS_FRAME_SAMPLES; i++) {
      ours[(f * OPUS_FRAME_SAMPLES + i) * 2] = p[0][i];
      ours[(f * OPUS_FRAME_SAMPLES + i) * 2 + 1] = p[1][i];
    }
  });
  const ogg = oggOpus(packets, { channels: 2, preSkip: lookahead, samples });
  const out = await ffmpeg([
    ...["-c:a", "libopus", "-f", "ogg", "-i", "pipe:0"],
    ...["-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"],
  ], ogg);
  const ref = new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4);
  // ffmpeg drops the pre-skip; we return every decoded sample.
  const snr = snrDb(ref, ours.subarray(lookahead * 2));
  assert.ok(snr >= 60, `SNR ${snr.toFixed(1)} dB against ffmpeg's libopus decoder`);
});

Deno.test("Opus encoder: the signal hint steers the mode (TOC config: 0–11 SILK, 12–15 hybrid, 16–31 CELT)", () => {
  const pcm = signal("speech", 48000, 1, 1);
  const modes = (hint: "voice" | "music") => {
    const enc = new OpusEncoder({ channels: 1, bitrate: 48000, signal: hint });
    const seen = new Set<string>();
    for (let f = 0; f + 1 <= pcm.length / OPUS_FRAME_SAMPLES; f++) {
      const toc = enc.encode([pcm.subarray(f * OPUS_FRAME_SAMPLES, (f + 1) * OPUS_FRAME_SAMPLES)])[0] >> 3;
      seen.add(toc < 12 ? "silk" : toc < 16 ? "hybrid" : "celt");
    }
    enc.close();
    return [...seen].sort().join();
  };
  assert.equal(modes("music"), "celt");
  assert.ok(!modes("voice").includes("celt"), modes("voice"));
});

Deno.test("Opus: bad input is an OpusError naming the value and the rule", () => {
  assert.throws(() => new OpusEncoder({ channels: 2, bitrate: 100 }), /bitrate 100 is invalid: must be 6000/);
  assert.throws(() => new OpusEncoder({ channels: 3 as 2, bitrate: 96000 }), OpusError);
  assert.throws(
    () => new OpusEncoder({ channels: 1, bitrate: 32000, sampleRate: 44100 as 48000 }),
    /input rate 44100 is invalid: must be one of 8000, 12000, 16000, 24000, 48000/,
  );
  assert.throws(
    () => new OpusEncoder({ channels: 1, bitrate: 32000, complexity: 11 }),
    /complexity 11 is invalid: must be an integer 0..10/,
  );
  const wide = new OpusEncoder({ channels: 1, bitrate: 32000, sampleRate: 16000 });
  assert.equal(wide.frameSamples, 320);
  assert.ok(wide.encode([new Float32Array(320)]).length > 0);
  wide.close();
  const enc = new OpusEncoder({ channels: 1, bitrate: 32000 });
  assert.throws(
    () => enc.encode([new Float32Array(100)]),
    /frame of 100 samples is invalid: must be 960 \(20 ms\)/,
  );
  enc.close();
  const dec = new OpusDecoder({ channels: 2 });
  assert.throws(() => dec.decode(new Uint8Array(0)), /Opus packet of 0 bytes is invalid/);
  // A code-3 packet header (TOC 0x03) announcing 63 frames with no data: libopus refuses it.
  assert.throws(() => dec.decode(new Uint8Array([0x03, 0x3f])), (e) => e instanceof OpusError);
  dec.close();
});
