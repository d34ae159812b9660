/**
 * Segment writers turn a run of frames (one LL-HLS part, or a whole segment) into container bytes.
 * One writer per segmenter: it keeps the muxer state (TS continuity counters, fMP4 sequence numbers).
 */
import type { Frame } from "../../core/frame.ts";
import { tsCarries, TsMuxer } from "../mpegts/mod.ts";
import { concat } from "../../core/fanout.ts";
import type { OutputTracks } from "../segment/mod.ts";

export interface SegmentWriter {
  /** Segment file extension: "ts" or "m4s". */
  readonly ext: "ts" | "m4s";
  /** The fMP4 init segment (EXT-X-MAP); undefined for TS. */
  init(): Uint8Array | undefined;
  /**
   * Bytes of `frames` (decode order, interleaved). `segmentStart`: the run opens a segment, so it
   * must be decodable on its own (TS: PAT/PMT first). `endDts`: where the run ends on the primary
   * track's clock (the next run's first dts), for the last sample's duration.
   */
  write(
    frames: readonly Frame[],
    opts: { segmentStart: boolean; end?: { track: "video" | "audio"; dts: number } },
  ): Uint8Array;
}

/** H.265, AV1, VP8, VP9 and Opus need fMP4: players do not take them in MPEG-TS (VP8/VP9 have no TS mapping). */
export function needsFmp4(t: OutputTracks): boolean {
  const v = t.video?.codec;
  return v === "h265" || v === "av1" || v === "vp8" || v === "vp9" || t.audio?.codec === "opus";
}

/** MPEG-TS segments: the muxer repeats PAT/PMT before every keyframe, so keyframe-led runs need nothing more. */
export class TsSegmentWriter implements SegmentWriter {
  readonly ext = "ts" as const;
  #mux: TsMuxer;
  #hasVideo: boolean;

  constructor(tracks: OutputTracks) {
    const audio = tracks.audio && tsCarries(tracks.audio) ? tracks.audio : undefined;
    this.#mux = new TsMuxer({ video: tracks.video, audio });
    this.#hasVideo = tracks.video !== undefined;
  }

  init(): undefined {
    return undefined;
  }

  write(frames: readonly Frame[], opts: { segmentStart: boolean }): Uint8Array {
    const parts: Uint8Array[] = [];
    const first = frames[0];
    if (opts.segmentStart && !(this.#hasVideo && first?.key && first.track.kind === "video")) {
      parts.push(this.#mux.header());
    }
    for (const f of frames) {
      const b = this.#mux.mux(f); // empty for tracks TS cannot carry
      if (b.byteLength > 0) parts.push(b);
    }
    return parts.length === 1 ? parts[0] : concat(parts);
  }
}
