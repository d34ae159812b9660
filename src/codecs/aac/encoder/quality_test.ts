// Our encoder against ffmpeg's built-in `aac` encoder, side by side on the same signals, both decoded
// by ffmpeg; ffprobe must read our ADTS without error; our decoder must agree with ffmpeg's on it.
import assert from "node:assert/strict";
import {
  alignedSnr,
  decodeAdts,
  encodeAdts,
  ffmpegDecodeAac,
  ffmpegEncodeAac,
  requireFfmpeg,
  signal,
  type SignalKind,
  snrDb,
} from "../_ffmpeg_test_util.ts";

async function ffprobeAdts(adts: Uint8Array): Promise<{ stderr: string; stream: Record<string, unknown> }> {
  const path = await Deno.makeTempFile({ suffix: ".aac" });
  try {
    await Deno.writeFile(path, adts);
    const out = await new Deno.Command("ffprobe", {
      args: ["-v", "error", "-count_frames", "-show_streams", "-of", "json", path],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    if (!out.success) throw new Error(`ffprobe failed: ${stderr}`);
    return { stderr, stream: JSON.parse(new TextDecoder().decode(out.stdout)).streams[0] };
  } finally {
    await Deno.remove(path);
  }
}

const signals: SignalKind[] = ["speech", "music", "sweep"];
const rate = 48000, channels = 2, seconds = 8;

for (const kind of signals) {
  Deno.test(`AAC encoder quality at 128 kbit/s stereo, ${kind}: SNR ≥ ffmpeg's aac − 3 dB`, async () => {
    requireFfmpeg();
    const pcm = signal(kind, rate, channels, seconds);
    const ours = encodeAdts(pcm, { rate, channels, bitrate: 128000 });
    const theirs = await ffmpegEncodeAac(pcm, { rate, channels, bitrate: "128k" });

    const probe = await ffprobeAdts(ours.adts);
    assert.equal(probe.stderr.trim(), "", "ffprobe reports errors on our ADTS");
    assert.equal(probe.stream.codec_name, "aac");
    assert.equal(probe.stream.profile, "LC");
    assert.equal(Number(probe.stream.sample_rate), rate);
    assert.equal(probe.stream.channels, channels);
    assert.equal(Number(probe.stream.nb_read_frames), ours.encoder.stats.frames);

    const oursDecoded = await ffmpegDecodeAac(ours.adts);
    const theirsDecoded = await ffmpegDecodeAac(theirs);
    const a = alignedSnr(pcm, oursDecoded, { rate, channels });
    const b = alignedSnr(pcm, theirsDecoded, { rate, channels });
    const oursKbps = ((ours.adts.length - 7 * ours.encoder.stats.frames) * 8) /
      (ours.encoder.stats.frames * 1024 / rate) /
      1000;
    console.log(
      `${kind}: ours ${a.snr.toFixed(2)} dB (${oursKbps.toFixed(1)} kbit/s), ffmpeg aac ${
        b.snr.toFixed(2)
      } dB ` +
        `(${(theirs.length * 8 / seconds / 1000).toFixed(1)} kbit/s with headers)`,
    );
    assert.equal(a.lag, ours.encoder.delay, "decoded output lags the input by the encoder's declared delay");
    assert.ok(a.snr >= b.snr - 3, `ours ${a.snr.toFixed(2)} dB < ffmpeg's ${b.snr.toFixed(2)} dB − 3`);

    // Our decoder on our stream matches ffmpeg's decoder.
    const own = decodeAdts(ours.adts);
    const agree = snrDb(oursDecoded, own.pcm);
    assert.ok(agree >= 60, `our decoder vs ffmpeg's on our stream: ${agree.toFixed(1)} dB`);
  });
}

Deno.test("AAC encoder: ffmpeg decodes mono and stereo streams at 8–48 kHz, short blocks and KBD windows included", async () => {
  requireFfmpeg();
  const streams: { kind: SignalKind; rate: number; channels: number; bitrate?: number; shape?: "kbd" }[] = [
    { kind: "bursts", rate: 48000, channels: 2 },
    { kind: "music", rate: 44100, channels: 1, shape: "kbd" },
    { kind: "speech", rate: 24000, channels: 2, bitrate: 64000 },
    { kind: "speech", rate: 11025, channels: 1, bitrate: 24000 },
    { kind: "sweep", rate: 8000, channels: 1, bitrate: 16000 },
  ];
  for (const s of streams) {
    const pcm = signal(s.kind, s.rate, s.channels, 3);
    const ours = encodeAdts(pcm, {
      rate: s.rate,
      channels: s.channels,
      bitrate: s.bitrate,
      windowShape: s.shape,
    });
    const probe = await ffprobeAdts(ours.adts);
    assert.equal(probe.stderr.trim(), "", `ffprobe errors on ${JSON.stringify(s)}`);
    const decoded = await ffmpegDecodeAac(ours.adts);
    const snr = snrDb(pcm, decoded.subarray(ours.encoder.delay * s.channels));
    console.log(
      `${s.kind} ${s.rate} Hz ${s.channels} ch ${s.shape ?? "sine"}: ffmpeg-decoded SNR ${snr.toFixed(1)} dB`,
    );
    assert.ok(snr > 3, `${JSON.stringify(s)}: SNR ${snr.toFixed(1)} dB`);
    if (s.kind === "bursts") assert.ok(ours.encoder.stats.windowSequences[2] > 0);
  }
});
