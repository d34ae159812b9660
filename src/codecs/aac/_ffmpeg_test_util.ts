// Test helpers of this folder (not part of the public API): ffmpeg's AAC encoder and decoder as the
// reference, our decoder over a whole ADTS stream, our encoder into ADTS, and aligned SNRs.
import { aacTrack } from "../aac.ts";
import { buildAdtsHeader, splitAdts } from "../adts.ts";
import { ffmpeg, snrDb } from "../_audio_test_util.ts";
import { AacDecoder, type AacDecoderStats } from "./decoder.ts";
import { AacEncoder } from "./encoder/mod.ts";

export { requireFfmpeg, signal, type SignalKind, snrDb } from "../_audio_test_util.ts";

/** Encodes interleaved PCM with ffmpeg's `aac` encoder into ADTS. */
export function ffmpegEncodeAac(
  pcm: Float32Array,
  o: { rate: number; channels: number; bitrate: string; options?: string[] },
): Promise<Uint8Array> {
  const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  return ffmpeg([
    ...["-f", "f32le", "-ar", String(o.rate), "-ac", String(o.channels), "-i", "pipe:0"],
    ...["-c:a", "aac", "-b:a", o.bitrate, ...(o.options ?? []), "-f", "adts", "pipe:1"],
  ], bytes);
}

/** Decodes an ADTS stream with ffmpeg's decoder into interleaved Float32 PCM. */
export async function ffmpegDecodeAac(adts: Uint8Array): Promise<Float32Array> {
  const out = await ffmpeg(["-f", "aac", "-i", "pipe:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"], adts);
  return new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4);
}

/** Decodes an ADTS stream with our decoder into interleaved Float32 PCM. */
export function decodeAdts(
  adts: Uint8Array,
): { pcm: Float32Array; channels: number; frames: number; stats: AacDecoderStats } {
  const { config, frames } = splitAdts(adts);
  const dec = new AacDecoder(config);
  const planes: Float32Array[][] = frames.map((f) => dec.decode(f));
  const channels = planes[0]?.length ?? 0;
  const pcm = new Float32Array(frames.length * 1024 * channels);
  planes.forEach((p, fi) => {
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < 1024; i++) pcm[(fi * 1024 + i) * channels + c] = p[c][i];
    }
  });
  return { pcm, channels, frames: frames.length, stats: dec.stats };
}

/** Encodes interleaved PCM with our encoder into ADTS (two frames of silence flush the encoder's delay). */
export function encodeAdts(
  pcm: Float32Array,
  o: { rate: number; channels: number; bitrate?: number; windowShape?: "sine" | "kbd" },
): { adts: Uint8Array; encoder: AacEncoder } {
  const encoder = new AacEncoder({
    sampleRate: o.rate,
    channels: o.channels,
    bitrate: o.bitrate,
    windowShape: o.windowShape,
  });
  const track = aacTrack(encoder.config);
  const ch = o.channels;
  const frames = Math.ceil(pcm.length / ch / 1024) + 2;
  const parts: Uint8Array[] = [];
  for (let f = 0; f < frames; f++) {
    const planes = Array.from({ length: ch }, (_, c) => {
      const p = new Float32Array(1024);
      for (let i = 0; i < 1024; i++) {
        const j = (f * 1024 + i) * ch + c;
        if (j < pcm.length) p[i] = pcm[j];
      }
      return p;
    });
    const au = encoder.encode(planes);
    parts.push(buildAdtsHeader(track, au.length), au);
  }
  const adts = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o2 = 0;
  for (const p of parts) adts.set(p, o2), o2 += p.length;
  return { adts, encoder };
}

/**
 * The SNR of `test` against `ref` (interleaved) at the lag (0..maxLag samples, test behind ref) that
 * fits best on a stretch from the second second on; returns the lag too.
 */
export function alignedSnr(
  ref: Float32Array,
  test: Float32Array,
  o: { rate: number; channels: number; maxLag?: number },
): { snr: number; lag: number } {
  const ch = o.channels;
  const from = o.rate * ch, to = Math.min(ref.length, from + Math.round(o.rate / 4) * ch);
  const seg = ref.subarray(from, to);
  let lag = 0, best = -Infinity;
  for (let l = 0; l <= (o.maxLag ?? 3072); l++) {
    const s = snrDb(seg, test.subarray(from + l * ch, to + l * ch));
    if (s > best) best = s, lag = l;
  }
  return { snr: snrDb(ref, test.subarray(lag * ch)), lag };
}
