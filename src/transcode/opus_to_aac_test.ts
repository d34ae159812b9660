import assert from "node:assert/strict";
import { type Frame, Stream } from "../core/mod.ts";
import { buildAdtsHeader, opusTrack } from "../codecs/mod.ts";
import { ffmpeg, requireFfmpeg, signal, type SignalKind, snrDb } from "../codecs/_audio_test_util.ts";
import { OpusDecoder, OpusEncoder } from "../codecs/opus/mod.ts";
import { AacDecoder } from "../codecs/aac/mod.ts";
import { alignedSnr } from "../codecs/aac/_ffmpeg_test_util.ts";
import { oggOpus } from "../codecs/opus/_ogg_test_util.ts";
import { audioAs } from "./mod.ts";
import { transcodeCodecs as loadTranscodeCodecs } from "./mod.ts";

// The transcoders load their codecs on first use; these tests feed them at once.
await loadTranscodeCodecs();

function newStream(): Stream {
  return new Stream({
    app: "live",
    name: "t",
    vhost: "h",
    info: { from: "test" },
    gop: { enabled: true, maxFrames: 1000, maxBytes: 1 << 24 },
  });
}

const f32 = (b: Uint8Array) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);

/** Opus packets of a synthetic signal, and what they decode to (interleaved, packet i at 960·i). */
function opusSource(kind: SignalKind, channels: 1 | 2, seconds: number) {
  const pcm = signal(kind, 48000, channels, seconds);
  const enc = new OpusEncoder({ channels, sampleRate: 48000, bitrate: channels * 64000, vbr: false });
  const dec = new OpusDecoder({ channels });
  const packets: Uint8Array[] = [];
  const n = Math.floor(pcm.length / channels / 960);
  const ref = new Float32Array(n * 960 * channels);
  for (let f = 0; f < n; f++) {
    const planes = Array.from({ length: channels }, (_, c) => {
      const p = new Float32Array(960);
      for (let i = 0; i < 960; i++) p[i] = pcm[(f * 960 + i) * channels + c];
      return p;
    });
    const packet = enc.encode(planes);
    packets.push(packet);
    const d = dec.decode(packet);
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < 960; i++) ref[(f * 960 + i) * channels + c] = d[c][i];
    }
  }
  enc.close();
  dec.close();
  return { packets, ref };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

/** Our AAC frames in ADTS, decoded by ffmpeg. */
async function ffmpegDecode(frames: Frame[]): Promise<Float32Array> {
  const track = frames[0].track;
  if (track.codec !== "aac") throw new Error("not AAC");
  const parts = frames.flatMap((f) => [buildAdtsHeader(track, f.data.length), f.data]);
  const adts = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) adts.set(p, o), o += p.length;
  return f32(await ffmpeg(["-f", "aac", "-i", "pipe:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"], adts));
}

for (const c of [{ kind: "music", channels: 2 }, { kind: "speech", channels: 1 }] as const) {
  Deno.test(`Opus → AAC (${c.kind}, ${c.channels} ch): timestamps from sample counts, decoded AAC in sync to the sample`, async () => {
    requireFfmpeg();
    const src = opusSource(c.kind, c.channels, 3);
    const stream = newStream();
    const lease = audioAs(stream, "aac", { maxQueueMs: 60_000 });
    const out: Frame[] = [];
    lease.value.onFrame((f) => out.push(f));
    const track = opusTrack(c.channels);
    const t0 = 48000 * 7; // seven seconds into the stream
    src.packets.forEach((data, i) => {
      const pts = t0 + i * 960;
      stream.write({ track, dts: pts, pts, key: true, data });
    });
    await until(() => lease.value.stats.framesIn === src.packets.length, "every source frame transcoded");
    const t = lease.value.track;
    assert.equal(t?.codec, "aac");
    assert.equal(t?.sampleRate, 48000);
    assert.equal(t?.channels, c.channels);
    assert.equal(out[0].pts, t0);
    for (let i = 1; i < out.length; i++) assert.equal(out[i].pts - out[i - 1].pts, 1024);
    // The output covers the input but for the encoder's delay (its last 2048 samples are still inside).
    const end = t0 + src.packets.length * 960 - 2048;
    assert.ok(
      end - (out.at(-1)!.pts + 1024) >= 0 && end - (out.at(-1)!.pts + 1024) < 1024,
      "covers the input",
    );

    const decoded = await ffmpegDecode(out);
    // Our decoder agrees with ffmpeg's on our frames.
    const dec = new AacDecoder(t!.config);
    const own = new Float32Array(decoded.length);
    out.forEach((f, k) => {
      const p = dec.decode(f.data);
      for (let ch = 0; ch < c.channels; ch++) {
        for (let i = 0; i < 1024; i++) own[(k * 1024 + i) * c.channels + ch] = p[ch][i];
      }
    });
    assert.ok(snrDb(decoded, own) > 60, "our decoder and ffmpeg's agree");
    // Decoded sample j is the source at pts out[0].pts + j; the first 2048 are the encoder's start-up.
    const skip = 2048 * c.channels;
    const at = (lag: number) => snrDb(src.ref.subarray(skip + lag * c.channels), decoded.subarray(skip));
    const snr = at(0);
    for (const lag of [-48, -2, 2, 48]) assert.ok(at(lag) < snr, `best aligned at its pts, not ${lag} off`);
    // ffmpeg's own Opus → AAC (its `aac` encoder at the same bitrate) on the same packets.
    const ogg = oggOpus(src.packets, { channels: c.channels, preSkip: 0, samples: src.packets.length * 960 });
    const theirs = f32(
      await ffmpeg([
        ...[
          "-f",
          "ogg",
          "-i",
          "pipe:0",
          "-c:a",
          "aac",
          "-b:a",
          String(c.channels * 64000),
          "-f",
          "adts",
          "pipe:1",
        ],
      ], ogg).then((adts) =>
        ffmpeg(["-f", "aac", "-i", "pipe:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"], adts)
      ),
    );
    const their = alignedSnr(src.ref, theirs, { rate: 48000, channels: c.channels }).snr;
    console.log(
      `Opus → AAC ${c.kind} ${c.channels} ch: SNR against the decoded Opus ${snr.toFixed(1)} dB, ` +
        `ffmpeg's Opus → aac ${their.toFixed(1)} dB`,
    );
    assert.ok(snr >= their - 3, `SNR ${snr.toFixed(1)} dB vs ffmpeg's ${their.toFixed(1)} dB`);
    lease.release();
  });
}

Deno.test("Opus → AAC: shared by every lease, stopped by the last release", async () => {
  const src = opusSource("sweep", 2, 0.5);
  const stream = newStream();
  const a = audioAs(stream, "aac");
  const b = audioAs(stream, "aac");
  assert.equal(a.value, b.value, "one transcoder for both");
  const track = opusTrack(2);
  src.packets.forEach((data, i) => stream.write({ track, dts: i * 960, pts: i * 960, key: true, data }));
  await until(() => a.value.stats.framesIn === src.packets.length, "frames transcoded");
  assert.ok(a.value.stats.framesOut > 0);
  a.release();
  assert.equal(stream.readerCount, 1, "still held by b");
  b.release();
  assert.equal(stream.outputs.size, 0);
  await until(() => stream.readerCount === 0, "the transcoder's reader is gone");
});

Deno.test("Opus → AAC: malformed packets become counted silence, lost packets silence, a jump restarts", async () => {
  const src = opusSource("music", 2, 2);
  const stream = newStream();
  const lease = audioAs(stream, "aac", { maxQueueMs: 60_000 });
  const out: Frame[] = [];
  lease.value.onFrame((f) => out.push(f));
  const track = opusTrack(2);
  const jump = 48000 * 30;
  src.packets.forEach((data, i) => {
    if (i === 30 || i === 31) return; // lost: a 40 ms gap
    const bad = i % 10 === 5 ? new Uint8Array([0xff, 0xff]) : data; // an invalid code 3 packet
    const pts = i * 960 + (i >= 80 ? jump : 0);
    stream.write({ track, dts: pts, pts, key: true, data: bad });
  });
  const { stats } = lease.value;
  await until(() => stats.framesIn === src.packets.length - 2, "frames transcoded");
  assert.ok(stats.errors >= 7, `errors ${stats.errors}`);
  assert.equal(stats.restarts, 1, "only the jump restarts");
  const before = out.filter((f) => f.pts < jump);
  for (let i = 1; i < before.length; i++) assert.equal(before[i].pts - before[i - 1].pts, 1024);
  // 80 packets of 960 (gap filled) before the jump: 75 frames of 1024 minus the encoder's 2 … in whole frames.
  assert.equal(before.length, Math.floor((80 * 960 - 2048) / 1024));
  const after = out.filter((f) => f.pts >= jump);
  assert.equal(after[0]?.pts, jump + 80 * 960, "the new timeline starts at the jumped-to time");
  lease.release();
});
