import assert from "node:assert/strict";
import { type Frame, type H264Track, Stream } from "../core/mod.ts";
import { aacTrack, splitAdts } from "../codecs/mod.ts";
import { ffmpeg, requireFfmpeg, signal, type SignalKind, snrDb } from "../codecs/_audio_test_util.ts";
import { oggOpus } from "../codecs/opus/_ogg_test_util.ts";
import type { Logger } from "../log/logger.ts";
import { audioAs, isTranscoding, transcoderId } from "./mod.ts";
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

const bitrate = (channels: number) => channels === 2 ? 96000 : 48000;
const f32 = (b: Uint8Array) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);

async function aacSource(kind: SignalKind, rate: number, channels: number, seconds: number) {
  const pcm = signal(kind, rate, channels, seconds);
  const adts = await ffmpeg([
    ...["-f", "f32le", "-ar", String(rate), "-ac", String(channels), "-i", "pipe:0"],
    ...["-c:a", "aac", "-b:a", "128k", "-f", "adts", "pipe:1"],
  ], new Uint8Array(pcm.buffer));
  // The reference: what the transcoder's input decodes to, resampled to 48 kHz by ffmpeg.
  const ref48 = f32(
    await ffmpeg(
      ["-f", "aac", "-i", "pipe:0", "-ar", "48000", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"],
      adts,
    ),
  );
  return { adts, ref48, ...splitAdts(adts) };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

const chainCases: { kind: SignalKind; rate: number; channels: 1 | 2 }[] = [
  { kind: "music", rate: 44100, channels: 2 },
  { kind: "speech", rate: 48000, channels: 2 },
  { kind: "sweep", rate: 32000, channels: 2 },
  { kind: "speech", rate: 16000, channels: 1 },
  // Mono speech from a wide source: CELT by default (libopus alone would pick its slower hybrid mode).
  { kind: "speech", rate: 48000, channels: 1 },
  { kind: "speech", rate: 22050, channels: 1 },
];

for (const c of chainCases) {
  Deno.test(`AAC → Opus (${c.kind}, ${c.rate} Hz, ${c.channels} ch): in sync to the sample, SNR within 2 dB of ffmpeg's own AAC → libopus`, async () => {
    requireFfmpeg();
    const src = await aacSource(c.kind, c.rate, c.channels, 3);
    const stream = newStream();
    const lease = audioAs(stream, "opus", { bitrate: bitrate(c.channels), vbr: false, maxQueueMs: 60_000 });
    const out: Frame[] = [];
    lease.value.onFrame((f) => out.push(f));
    const track = aacTrack(src.config);
    src.frames.forEach((data, i) => stream.write({ track, dts: i * 1024, pts: i * 1024, key: true, data }));
    await until(() => lease.value.stats.framesIn === src.frames.length, "every source frame transcoded");
    assert.equal(lease.value.track?.codec, "opus");
    assert.equal(lease.value.track?.channels, c.channels);
    // Timestamps from sample counts: the source's start, then exactly 960 apart.
    assert.equal(out[0].pts, 0);
    for (let i = 1; i < out.length; i++) assert.equal(out[i].pts - out[i - 1].pts, 960);
    const total = src.frames.length * 1024 * 48000 / c.rate;
    assert.ok(Math.abs(out.at(-1)!.pts + 960 - total) < 2000, "the output covers the input");

    // Decode our packets (no pre-skip: the timestamps already account for every delay) and lay
    // them on the reference timeline at their pts.
    const ours = f32(
      await ffmpeg(
        ["-f", "ogg", "-i", "pipe:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"],
        oggOpus(out.map((f) => f.data), { channels: c.channels, preSkip: 0, samples: out.length * 960 }),
      ),
    );
    const start = out[0].pts * c.channels;
    const lagSnr = (lag: number) => snrDb(src.ref48.subarray(start + lag * c.channels), ours);
    const oursSnr = lagSnr(0);
    for (const lag of [-48, -2, 2, 48]) {
      assert.ok(lagSnr(lag) < oursSnr, `the output is best aligned at its pts, not ${lag} samples off`);
    }

    const theirs = f32(
      await ffmpeg(
        ["-f", "ogg", "-i", "pipe:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"],
        await ffmpeg([
          ...[
            "-f",
            "aac",
            "-i",
            "pipe:0",
            "-c:a",
            "libopus",
            "-b:a",
            String(bitrate(c.channels)),
            "-vbr",
            "off",
          ],
          ...["-frame_duration", "20", "-f", "ogg", "pipe:1"],
        ], src.adts),
      ),
    );
    const theirSnr = snrDb(src.ref48, theirs);
    assert.ok(
      oursSnr >= theirSnr - 2,
      `our SNR ${oursSnr.toFixed(1)} dB vs ffmpeg's ${theirSnr.toFixed(1)} dB`,
    );
    lease.release();
  });
}

Deno.test("AAC → Opus: shared by every lease, stopped by the last release", async () => {
  requireFfmpeg();
  const src = await aacSource("sweep", 44100, 1, 0.5);
  const stream = newStream();
  const a = audioAs(stream, "opus");
  const b = audioAs(stream, "opus");
  assert.equal(a.value, b.value, "one transcoder for both");
  assert.equal(stream.readerCount, 1);
  // Another bitrate is another transcoder (`<rtc><opusbitrate>` changed by a reload).
  const c = audioAs(stream, "opus", { bitrate: 32000 });
  assert.notEqual(c.value, a.value);
  assert.deepEqual(stream.outputs.ids().sort(), [
    transcoderId("opus", 32000),
    transcoderId("opus", undefined),
  ]);
  assert.deepEqual(stream.outputs.ids().sort(), ["audio:opus:32000", "audio:opus:default"]);
  c.release();
  assert.ok(isTranscoding(stream, "opus"));
  const track = aacTrack(src.config);
  src.frames.forEach((data, i) => stream.write({ track, dts: i * 1024, pts: i * 1024, key: true, data }));
  await until(() => a.value.stats.framesIn === src.frames.length, "frames transcoded");
  assert.equal(a.value.track?.channels, 1, "mono stays mono");
  a.release();
  assert.equal(stream.readerCount, 1, "still held by b");
  b.release();
  assert.equal(stream.outputs.size, 0);
  assert.ok(!isTranscoding(stream, "opus"));
  await until(() => stream.readerCount === 0, "the transcoder's reader is gone");
});

Deno.test("AAC → Opus: malformed frames are skipped with a counted error, the timeline goes on", async () => {
  requireFfmpeg();
  const src = await aacSource("music", 44100, 2, 1);
  const stream = newStream();
  const lease = audioAs(stream, "opus");
  const out: Frame[] = [];
  lease.value.onFrame((f) => out.push(f));
  const track = aacTrack(src.config);
  src.frames.forEach((data, i) => {
    const bad = i % 10 === 5 ? new Uint8Array([0x20, 0xff, 0x00]) : data; // a truncated CPE
    stream.write({ track, dts: i * 1024, pts: i * 1024, key: true, data: bad });
  });
  await until(() => lease.value.stats.framesIn === src.frames.length, "frames transcoded");
  assert.ok(lease.value.stats.errors >= 4, `errors ${lease.value.stats.errors}`);
  assert.equal(lease.value.stats.restarts, 0);
  for (let i = 1; i < out.length; i++) assert.equal(out[i].pts - out[i - 1].pts, 960);
  lease.release();
});

Deno.test("AAC → Opus: a timestamp jump restarts the timeline at the new time", async () => {
  requireFfmpeg();
  const src = await aacSource("music", 48000, 2, 1);
  const stream = newStream();
  // Written all at once: a queue long enough for the jump (the Reader bounds media time).
  const lease = audioAs(stream, "opus", { maxQueueMs: 60_000 });
  const out: Frame[] = [];
  lease.value.onFrame((f) => out.push(f));
  const track = aacTrack(src.config);
  const jump = 10 * 48000;
  src.frames.forEach((data, i) => {
    const pts = i * 1024 + (i >= 20 ? jump : 0);
    stream.write({ track, dts: pts, pts, key: true, data });
  });
  await until(() => lease.value.stats.framesIn === src.frames.length, "frames transcoded");
  assert.equal(lease.value.stats.restarts, 1);
  const after = out.filter((f) => f.pts >= jump);
  assert.equal(after[0]?.pts, jump + 20 * 1024, "the new timeline starts at the jumped-to time");
  lease.release();
});

Deno.test("AAC → Opus: a 5.1 source is downmixed to stereo, said once in the log", async () => {
  requireFfmpeg();
  const src = await aacSource("music", 48000, 6, 1);
  const stream = newStream();
  const lines: string[] = [];
  const log: Logger = {
    debug: () => {},
    info: (msg) => void lines.push(msg),
    warn: (msg) => void lines.push(msg),
    error: (msg) => void lines.push(msg),
    child: () => log,
  };
  const lease = audioAs(stream, "opus", { log, maxQueueMs: 60_000 });
  const out: Frame[] = [];
  lease.value.onFrame((f) => out.push(f));
  const track = aacTrack(src.config);
  src.frames.forEach((data, i) => stream.write({ track, dts: i * 1024, pts: i * 1024, key: true, data }));
  await until(() => lease.value.stats.framesIn === src.frames.length, "frames transcoded");
  assert.equal(lease.value.track?.channels, 2);
  assert.deepEqual(lines, ["AAC source downmixed to stereo for Opus"]);
  assert.ok(out.length >= 45);
  lease.release();
});

Deno.test("AAC → Opus: under pressure the queue drops whole frames, counts them, and resumes at the next audio frame", async () => {
  requireFfmpeg();
  const src = await aacSource("music", 44100, 2, 3);
  const stream = newStream();
  const lease = audioAs(stream, "opus", { maxQueueMs: 500 });
  // A video keyframe first: a video reader would now wait for the next one after a drop.
  const video: H264Track = {
    kind: "video",
    codec: "h264",
    clockRate: 90000,
    width: 16,
    height: 16,
    fps: 25,
    sps: new Uint8Array([0x67, 0x42, 0, 0x1e]),
    pps: [new Uint8Array([0x68])],
    profile: 0x42,
    compat: 0,
    level: 0x1e,
  };
  stream.write({ track: video, dts: 0, pts: 0, key: true, data: new Uint8Array(8) });
  const track = aacTrack(src.config);
  // Three seconds written at once: far more than the 500 ms queue.
  src.frames.forEach((data, i) => stream.write({ track, dts: i * 1024, pts: i * 1024, key: true, data }));
  const { stats } = lease.value;
  await until(() => stats.framesIn + stats.dropped === src.frames.length, "every frame taken or counted");
  assert.ok(stats.dropped > 0, "frames were dropped");
  assert.ok(stats.framesIn > 0, "audio resumed without waiting for a video keyframe");
  lease.release();
});

Deno.test("AAC → Opus: an HE-AAC track is transcoded from its AAC-LC core, on the track's own clock, said once", async () => {
  requireFfmpeg();
  // LC frames at 22050 Hz announced as HE-AAC (explicit SBR signalling, 44100 Hz output): the core
  // decodes as it is, and the track's clock counts 2048 ticks per frame.
  const src = await aacSource("music", 22050, 2, 1);
  const track = aacTrack(new Uint8Array([0x2b, 0x92, 0x08, 0x00]));
  assert.equal(track.clockRate, 44100);
  const stream = newStream();
  const lines: string[] = [];
  const log: Logger = {
    debug: () => {},
    info: (msg) => void lines.push(msg),
    warn: (msg) => void lines.push(msg),
    error: (msg) => void lines.push(msg),
    child: () => log,
  };
  const lease = audioAs(stream, "opus", { log, maxQueueMs: 60_000 });
  const out: Frame[] = [];
  lease.value.onFrame((f) => out.push(f));
  const start = 44100 * 5; // five seconds into the stream
  src.frames.forEach((data, i) => {
    const pts = start + i * 2048;
    stream.write({ track, dts: pts, pts, key: true, data });
  });
  await until(() => lease.value.stats.framesIn === src.frames.length, "frames transcoded");
  assert.equal(lease.value.stats.restarts, 0, "2048 ticks per frame is continuous");
  assert.deepEqual(lines, ["HE-AAC source: transcoding its AAC-LC core only (half the rate, band-limited)"]);
  assert.equal(out[0].pts, 5 * 48000);
  // 1024 core samples per frame at 22050 Hz: the output covers the same time.
  const covered = (out.at(-1)!.pts + 960 - out[0].pts) / 48000;
  assert.ok(Math.abs(covered - (src.frames.length * 1024) / 22050) < 0.05, `${covered} s`);
  lease.release();
});
