import type { Track } from "./track.ts";

/**
 * One access unit. Immutable once written to a Stream: outputs share `data` and never copy it
 * per reader.
 *
 * - `dts`/`pts` are integers in `track.clockRate` ticks (90000 for video, the sample rate for audio).
 * - Video `data` is length-prefixed NAL units (4-byte big-endian lengths, as in AVCC/HVCC).
 *   AV1 is a sequence of OBUs (low-overhead format); VP8/VP9 are raw frames.
 * - Audio `data` is one raw frame: AAC without ADTS, one Opus packet, G.711 bytes, one MP3 frame.
 */
export interface Frame {
  readonly track: Track;
  readonly dts: number;
  readonly pts: number;
  readonly key: boolean;
  readonly data: Uint8Array;
}

/** Converts between clocks exactly: rounds once, never accumulates. */
export function rescale(value: number, from: number, to: number): number {
  if (from === to) return value;
  return Math.round((value * to) / from);
}

/** Milliseconds (FLV/RTMP time) of a frame's dts. */
export function dtsMs(f: Frame): number {
  return rescale(f.dts, f.track.clockRate, 1000);
}

/** Composition offset in milliseconds (FLV CompositionTime). */
export function ctsMs(f: Frame): number {
  return rescale(f.pts, f.track.clockRate, 1000) - dtsMs(f);
}
