/**
 * fMP4 segments for HLS: one init segment with every carried track, and one moof+mdat per run of
 * frames (an LL-HLS part, or a whole segment), audio and video muxed together.
 */
import type { Frame } from "../../core/frame.ts";
import type { Track } from "../../core/track.ts";
import { initSegment, mediaSegment, type SegmentTrack } from "../fmp4/mod.ts";
import { type OutputTracks, shiftedFrames, TimestampShift } from "../segment/mod.ts";
import type { SegmentWriter } from "./writer.ts";

export class Fmp4SegmentWriter implements SegmentWriter {
  readonly ext = "m4s" as const;
  readonly #tracks: Track[];
  readonly #init: Uint8Array;
  readonly #shift = new TimestampShift();
  #sequence = 1;

  constructor(tracks: OutputTracks) {
    this.#tracks = [tracks.video, tracks.audio].filter((t): t is NonNullable<typeof t> => t !== undefined);
    this.#init = initSegment(this.#tracks);
  }

  init(): Uint8Array {
    return this.#init;
  }

  write(
    frames: readonly Frame[],
    opts: { segmentStart: boolean; end?: { track: "video" | "audio"; dts: number } },
  ): Uint8Array {
    const tracks: SegmentTrack[] = [];
    this.#tracks.forEach((track, i) => {
      const shift = this.#shift.ticks(frames, track.clockRate);
      const own = shiftedFrames(frames, track.kind, shift);
      if (own.length === 0) return;
      const nextDts = opts.end?.track === track.kind ? opts.end.dts + shift : undefined;
      tracks.push({ trackId: i + 1, track, frames: own, nextDts });
    });
    if (tracks.length === 0) return new Uint8Array(0);
    return mediaSegment({ sequence: this.#sequence++, tracks });
  }
}

export function createFmp4Writer(tracks: OutputTracks): SegmentWriter {
  return new Fmp4SegmentWriter(tracks);
}
