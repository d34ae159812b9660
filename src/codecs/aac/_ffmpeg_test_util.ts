// Test helpers of this folder (not part of the public API): ffmpeg's AAC encoder and decoder as the
// reference, and our decoder over a whole ADTS stream.
import { splitAdts } from "../adts.ts";
import { ffmpeg } from "../_audio_test_util.ts";
import { AacDecoder, type AacDecoderStats } from "./decoder.ts";

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
