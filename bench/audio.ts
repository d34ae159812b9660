/**
 * `deno task bench:audio [--seconds N]`: the audio codecs and the AAC → Opus transcoder on one
 * core of this machine. Prints, per synthetic signal: our AAC decoder's SNR against ffmpeg's decoder
 * and its speed (× real time); the whole AAC → Opus chain's speed and CPU per transcoded stream; and
 * the chain's SNR (decoded by ffmpeg) next to ffmpeg's own AAC → libopus at the same bitrate (CBR).
 * The chain is timed twice: in CBR (the like-for-like setting of the SNR comparison) and in VBR, the
 * transcoder's default and what the server runs for WebRTC viewers (with the bitrate it reaches); the
 * peer is ffmpeg's native libopus (CBR) on the same input, timed in the same run.
 * Then our AAC encoder and the Opus → AAC transcoder (bench/aac_encode.ts).
 * Speeds are media time over the process's CPU time (user + system), so they mean "on one core"
 * even on a shared machine, where wall time would count other processes' turns. Needs ffmpeg.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { type Frame, Stream } from "../src/core/mod.ts";
import { aacTrack, splitAdts } from "../src/codecs/mod.ts";
import { AacDecoder } from "../src/codecs/aac/mod.ts";
import { OPUS_FRAME_SAMPLES, OpusEncoder } from "../src/codecs/opus/mod.ts";
import { ffmpeg, requireFfmpeg, signal, type SignalKind, snrDb } from "../src/codecs/_audio_test_util.ts";
import { oggOpus } from "../src/codecs/opus/_ogg_test_util.ts";
import { AacToOpus } from "../src/transcode/mod.ts";
import { aacEncodeBench } from "./aac_encode.ts";
import { transcodeCodecs as loadTranscodeCodecs } from "../src/transcode/mod.ts";

// The transcoders load their codecs on first use; these tests feed them at once.
await loadTranscodeCodecs();

const { values } = parseArgs({ args: Deno.args, options: { seconds: { type: "string", default: "20" } } });
const SECONDS = Number(values.seconds);
/** This process's CPU time in ms (it runs one thread of JavaScript and WebAssembly here). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
const f32 = (b: Uint8Array) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);

function interleave(planes: Float32Array[][], channels: number, frameLength: number): Float32Array {
  const out = new Float32Array(planes.length * frameLength * channels);
  planes.forEach((p, f) => {
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < frameLength; i++) out[(f * frameLength + i) * channels + c] = p[c][i];
    }
  });
  return out;
}

function newStream(): Stream {
  return new Stream({
    app: "bench",
    name: "audio",
    vhost: "h",
    info: { from: "bench" },
    gop: { enabled: false, maxFrames: 0, maxBytes: 0 },
  });
}

async function aacCase(kind: SignalKind, rate: number, channels: number) {
  const pcm = signal(kind, rate, channels, SECONDS);
  const adts = await ffmpeg([
    ...["-f", "f32le", "-ar", String(rate), "-ac", String(channels), "-i", "pipe:0"],
    // PNS off: substituted noise is random by design, so it cannot be compared sample by sample.
    ...["-c:a", "aac", "-b:a", channels === 2 ? "128k" : "64k", "-aac_pns", "0", "-f", "adts", "pipe:1"],
  ], new Uint8Array(pcm.buffer));
  const { config, frames } = splitAdts(adts);
  const ref = f32(
    await ffmpeg(["-f", "aac", "-i", "pipe:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"], adts),
  );

  // Decoder: warm up (JIT) with a full untimed pass, then time a full pass.
  const warm = new AacDecoder(config);
  for (const f of frames) warm.decode(f);
  const dec = new AacDecoder(config);
  const t0 = cpuMs();
  const planes = frames.map((f) => dec.decode(f));
  const decodeMs = cpuMs() - t0;
  const media = (frames.length * 1024) / rate;
  const decodeSnr = snrDb(ref, interleave(planes, channels, 1024));

  // The whole chain, fed directly (no Reader queue in the timing), after an untimed warm-up.
  const track = aacTrack(config);
  const input = frames.map((data, i): Frame => ({ track, dts: i * 1024, pts: i * 1024, key: true, data }));
  // V8 tiers WebAssembly up while it runs (Liftoff first, then TurboFan): warm up on the whole input.
  const warmChain = new AacToOpus(newStream(), { bitrate: channels === 2 ? 96000 : 48000, vbr: false });
  warmChain.write(input);
  warmChain.close();
  const chain = new AacToOpus(newStream(), { bitrate: channels === 2 ? 96000 : 48000, vbr: false });
  const out: Frame[] = [];
  chain.onFrame((f) => out.push(f));
  const t1 = cpuMs();
  chain.write(input);
  const chainMs = cpuMs() - t1;
  chain.close();

  // The same chain as the server runs it (VBR, the default), after its own warm-up.
  const vbrOpts = { bitrate: channels === 2 ? 96000 : 48000 };
  const warmVbr = new AacToOpus(newStream(), vbrOpts);
  warmVbr.write(input);
  warmVbr.close();
  const vbr = new AacToOpus(newStream(), vbrOpts);
  let vbrBytes = 0;
  vbr.onFrame((f) => vbrBytes += f.data.length);
  const t2 = cpuMs();
  vbr.write(input);
  const vbrMs = cpuMs() - t2;
  vbr.close();

  // Quality of the chain next to ffmpeg's own, against the decoded AAC resampled by ffmpeg.
  const ref48 = f32(
    await ffmpeg(
      ["-f", "aac", "-i", "pipe:0", "-ar", "48000", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"],
      adts,
    ),
  );
  const ogg = oggOpus(out.map((f) => f.data), { channels, preSkip: 0, samples: out.length * 960 });
  const ours = f32(
    await ffmpeg(["-f", "ogg", "-i", "pipe:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"], ogg),
  );
  const bitrate = channels === 2 ? "96000" : "48000";
  const theirOgg = await ffmpeg([
    ...["-f", "aac", "-i", "pipe:0", "-c:a", "libopus", "-b:a", bitrate, "-vbr", "off"],
    ...["-frame_duration", "20", "-f", "ogg", "pipe:1"],
  ], adts);
  const theirs = f32(
    await ffmpeg(["-f", "ogg", "-i", "pipe:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"], theirOgg),
  );
  const peerX = await ffmpegOpusSpeed(adts, bitrate, media);
  return {
    peerX,
    decodeSnr,
    decodeX: media / (decodeMs / 1000),
    chainX: media / (chainMs / 1000),
    vbrX: media / (vbrMs / 1000),
    vbrKbps: vbrBytes * 8 / media / 1000,
    oursSnr: snrDb(ref48.subarray(out[0].pts * channels), ours),
    theirSnr: snrDb(ref48, theirs),
  };
}

/**
 * The peer: ffmpeg's native libopus on the same ADTS input (its AAC decoder, then libopus at the same
 * CBR, complexity 10), as CPU time (user + system) of its transcoding loop (`-benchmark`).
 */
async function ffmpegOpusSpeed(adts: Uint8Array, bitrate: string, media: number): Promise<number> {
  const p = new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-benchmark", "-f", "aac", "-i", "pipe:0", "-c:a", "libopus", "-b:a", bitrate],
      ...["-vbr", "off", "-frame_duration", "20", "-f", "null", "-"],
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = p.stdin.getWriter();
  const writing = w.write(adts).then(() => w.close());
  const [out] = await Promise.all([p.output(), writing]);
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  const m = text.match(/utime=([\d.]+)s stime=([\d.]+)s/);
  if (!out.success || !m) throw new Error(`ffmpeg -benchmark gave no CPU time: ${text.slice(-300)}`);
  return media / (Number(m[1]) + Number(m[2]));
}

function opusEncodeSpeed(): number {
  const enc = new OpusEncoder({ channels: 2, bitrate: 96000 });
  const pcm = signal("music", 48000, 2, SECONDS);
  const frames = Math.floor(pcm.length / 2 / OPUS_FRAME_SAMPLES);
  const l = new Float32Array(OPUS_FRAME_SAMPLES);
  const r = new Float32Array(OPUS_FRAME_SAMPLES);
  const pass = () => {
    const t0 = cpuMs();
    for (let f = 0; f < frames; f++) {
      for (let i = 0; i < OPUS_FRAME_SAMPLES; i++) {
        l[i] = pcm[(f * OPUS_FRAME_SAMPLES + i) * 2];
        r[i] = pcm[(f * OPUS_FRAME_SAMPLES + i) * 2 + 1];
      }
      enc.encode([l, r]);
    }
    return cpuMs() - t0;
  };
  pass(); // warm-up: V8 tiers the WebAssembly up as it runs
  const ms = pass();
  enc.close();
  return (frames * OPUS_FRAME_SAMPLES) / 48000 / (ms / 1000);
}

requireFfmpeg();
console.log(`audio bench: ${SECONDS} s per signal, one core`);
console.log(`Opus encode alone (stereo 96 kbit/s, music): ${opusEncodeSpeed().toFixed(0)}× real time`);
const rows = [
  [
    "signal",
    "rate",
    "ch",
    "AAC dec SNR dB",
    "AAC dec ×rt",
    "AAC→Opus ×rt",
    "CPU/stream %",
    "VBR ×rt",
    "VBR CPU %",
    "VBR kbit/s",
    "ffmpeg ×rt",
    "Opus SNR ours",
    "ffmpeg",
  ],
];
for (
  const [kind, rate, ch] of [
    ["music", 44100, 2],
    ["speech", 44100, 2],
    ["sweep", 44100, 2],
    ["music", 48000, 2],
    ["speech", 16000, 1],
    ["speech", 48000, 1],
    ["speech", 22050, 1],
    ["bursts", 48000, 2],
  ] as [SignalKind, number, number][]
) {
  const r = await aacCase(kind, rate, ch);
  rows.push([
    kind,
    String(rate),
    String(ch),
    r.decodeSnr.toFixed(1),
    r.decodeX.toFixed(0),
    r.chainX.toFixed(0),
    (100 / r.chainX).toFixed(2),
    r.vbrX.toFixed(0),
    (100 / r.vbrX).toFixed(2),
    r.vbrKbps.toFixed(1),
    r.peerX.toFixed(0),
    r.oursSnr.toFixed(1),
    r.theirSnr.toFixed(1),
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) {
  console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
}

await aacEncodeBench(SECONDS);
