import type { G711Track } from "../core/track.ts";
import { ProtocolError } from "../core/errors.ts";

/** Builds an immutable G.711 track (A-law or µ-law). */
export function g711Track(codec: "pcma" | "pcmu", sampleRate = 8000, channels = 1): G711Track {
  if (channels < 1) throw new ProtocolError(`G.711 channel count ${channels} is invalid: must be at least 1`);
  return { kind: "audio", codec, clockRate: sampleRate, sampleRate, channels };
}

/** One byte per sample per channel. */
export function g711FrameSamples(track: G711Track, byteLength: number): number {
  return Math.floor(byteLength / track.channels);
}
