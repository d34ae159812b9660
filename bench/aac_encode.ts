/**
 * Part of `deno task bench:audio`: our AAC-LC encoder alone and the whole Opus → AAC transcoder on
 * one core. Per synthetic signal: the encoder's speed (× real time) and its SNR (decoded by ffmpeg)
 * next to ffmpeg's built-in `aac` encoder at the same bitrate; the chain's speed (Opus decode,
 * AAC encode; 48 kHz, no resampling) and CPU per transcoded stream, and its SNR against the decoded
 * Opus it was given. Needs ffmpeg.
 */
import type { Frame } from "../src/core/mod.ts";
import { buildAdtsHeader, opusTrack } from "../src/codecs/mod.ts";
import { AacEncoder } from "../src/codecs/aac/mod.ts";
import { OpusDecoder, OpusEncoder } from "../src/codecs/opus/mod.ts";
import { ffmpeg, signal, type SignalKind, snrDb } from "../src/codecs/_audio_test_util.ts";
import {
  alignedSnr,
  encodeAdts,
  ffmpegDecodeAac,
  ffmpegEncodeAac,
} from "../src/codecs/aac/_ffmpeg_test_util.ts";
import { Stream } from "../src/core/mod.ts";
import { OpusToAac } from "../src/transcode/mod.ts";
import { transcodeCodecs as loadTranscodeCodecs } from "../src/transcode/mod.ts";

// The transcoders load their codecs on first use; these tests feed them at once.
await loadTranscodeCodecs();

const f32 = (b: Uint8Array) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);

function planesOf(pcm: Float32Array, channels: number, frame: number, size: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => {
    const p = new Float32Array(size);
    for (let i = 0; i < size; i++) p[i] = pcm[(frame * size + i) * channels + c] ?? 0;
    return p;
  });
}

/** The encoder alone: × real time over a timed pass after two untimed ones (JIT warm-up). */
function encoderSpeed(pcm: Float32Array, rate: number, channels: number, bitrate: number): number {
  const frames = Math.floor(pcm.length / channels / 1024);
  const input = Array.from({ length: frames }, (_, f) => planesOf(pcm, channels, f, 1024));
  const pass = () => {
    const enc = new AacEncoder({ sampleRate: rate, channels, bitrate });
    const t0 = performance.now();
    for (const p of input) enc.encode(p);
    return performance.now() - t0;
  };
  pass(); // warm-up passes: V8 compiles the hot loops while they run
  pass();
  return (frames * 1024) / rate / (pass() / 1000);
}

async function chainCase(kind: SignalKind, seconds: number) {
  const channels = 2;
  const pcm = signal(kind, 48000, channels, seconds);
  // The source: our Opus packets at 96 kbit/s, and what they decode to (packet i at 960·i).
  const enc = new OpusEncoder({ channels, sampleRate: 48000, bitrate: 96000, vbr: false });
  const dec = new OpusDecoder({ channels });
  const n = Math.floor(pcm.length / channels / 960);
  const ref = new Float32Array(n * 960 * channels);
  const track = opusTrack(channels);
  const input: Frame[] = [];
  for (let f = 0; f < n; f++) {
    const data = enc.encode(planesOf(pcm, channels, f, 960));
    input.push({ track, dts: f * 960, pts: f * 960, key: true, data });
    const d = dec.decode(data);
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < 960; i++) ref[(f * 960 + i) * channels + c] = d[c][i];
    }
  }
  enc.close();
  dec.close();
  const stream = () =>
    new Stream({
      app: "bench",
      name: "aac",
      vhost: "h",
      info: { from: "bench" },
      gop: { enabled: false, maxFrames: 0, maxBytes: 0 },
    });
  const warm = new OpusToAac(stream());
  warm.write(input);
  warm.close();
  const chain = new OpusToAac(stream());
  const out: Frame[] = [];
  chain.onFrame((f) => out.push(f));
  const t0 = performance.now();
  chain.write(input);
  const ms = performance.now() - t0;
  chain.close();
  const aac = out[0].track;
  if (aac.codec !== "aac") throw new Error("not AAC");
  const parts = out.flatMap((f) => [buildAdtsHeader(aac, f.data.length), f.data]);
  const adts = new Uint8Array(parts.reduce((k, p) => k + p.length, 0));
  let o = 0;
  for (const p of parts) adts.set(p, o), o += p.length;
  const decoded = f32(
    await ffmpeg(["-f", "aac", "-i", "pipe:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"], adts),
  );
  const skip = 2048 * channels; // the encoder's start-up
  return { x: (n * 960) / 48000 / (ms / 1000), snr: snrDb(ref.subarray(skip), decoded.subarray(skip)) };
}

/** Runs the AAC encoder and Opus → AAC rows and prints their table. */
export async function aacEncodeBench(seconds: number): Promise<void> {
  const rows = [[
    "signal",
    "rate",
    "AAC enc ×rt",
    "AAC SNR ours",
    "ffmpeg aac",
    "Opus→AAC ×rt",
    "CPU/stream %",
    "Opus→AAC SNR",
  ]];
  for (
    const [kind, rate] of [["music", 48000], ["speech", 48000], ["sweep", 48000], ["music", 44100]] as const
  ) {
    const pcm = signal(kind, rate, 2, seconds);
    const x = encoderSpeed(pcm, rate, 2, 128000);
    const ours = alignedSnr(
      pcm,
      await ffmpegDecodeAac(encodeAdts(pcm, { rate, channels: 2, bitrate: 128000 }).adts),
      {
        rate,
        channels: 2,
      },
    );
    const theirs = alignedSnr(
      pcm,
      await ffmpegDecodeAac(await ffmpegEncodeAac(pcm, { rate, channels: 2, bitrate: "128k" })),
      { rate, channels: 2 },
    );
    const chain = rate === 48000 ? await chainCase(kind, seconds) : undefined;
    rows.push([
      kind,
      String(rate),
      x.toFixed(0),
      ours.snr.toFixed(1),
      theirs.snr.toFixed(1),
      chain ? chain.x.toFixed(0) : "-",
      chain ? (100 / chain.x).toFixed(2) : "-",
      chain ? chain.snr.toFixed(1) : "-",
    ]);
  }
  console.log("AAC encoder (128 kbit/s stereo) and Opus (96 kbit/s) → AAC (128 kbit/s), stereo:");
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) {
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
  }
}

if (import.meta.main) await aacEncodeBench(Number(Deno.args[0] ?? 10));
