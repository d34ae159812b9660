/** Test helpers shared by the mpegts tests: demux a fixture, remux frames. */
import type { Track } from "../../core/track.ts";
import type { Frame } from "../../core/frame.ts";
import { TsDemuxer, type TsDemuxerStats } from "./demuxer.ts";
import { TsMuxer } from "./muxer.ts";

export interface Demuxed {
  tracks: Track[];
  frames: Frame[];
  stats: TsDemuxerStats;
}

export function fixture(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`./testdata/${name}`, import.meta.url));
}

/** Demuxes `bytes` fed in chunks of `chunk` bytes (all at once by default). */
export function demux(bytes: Uint8Array, chunk = bytes.length): Demuxed {
  const tracks: Track[] = [];
  const frames: Frame[] = [];
  const d = new TsDemuxer({ onTrack: (t) => tracks.push(t), onFrame: (f) => frames.push(f) });
  for (let i = 0; i < bytes.length; i += chunk) d.push(bytes.subarray(i, i + chunk));
  d.flush();
  return { tracks, frames, stats: { ...d.stats } };
}

export { concat } from "../../core/bytes.ts";

/** Muxes frames (in order) with one TsMuxer; returns each frame's output. */
export function remux(frames: readonly Frame[]): Uint8Array[] {
  const mux = new TsMuxer();
  return frames.map((f) => mux.mux(f));
}
