/**
 * Decides where segments and LL-HLS parts end, for every segmented output (HLS, DASH, recordings).
 * Segments start on a restart point (a video keyframe, or any audio frame when there is no video)
 * once the target duration is reached; parts end at the target part duration and at every
 * keyframe, so a keyframe always starts an independent part. Durations are measured on the primary
 * track's clock (video when there is video).
 */
import type { Frame } from "../../core/frame.ts";

export interface CutterOptions {
  /** Target segment duration, ms. */
  targetMs: number;
  /** Target part duration, ms (LL-HLS); absent = no parts. */
  partTargetMs?: number;
  /** The track kind that drives the cuts: "video" when the stream has video. */
  primary: "video" | "audio";
}

/** What the caller does with a frame. */
export const Cut = {
  /** Before the first restart point: not part of any segment. */
  Drop: -1,
  /** Append to the open part. */
  Append: 0,
  /** Close the open part, then start a new one with this frame. */
  Part: 1,
  /** Close the open part and segment, then start new ones with this frame. */
  Segment: 2,
} as const;
export type Cut = typeof Cut[keyof typeof Cut];

// A timestamp jump larger than this (or backwards) is treated as a discontinuity: durations use the
// last frame interval instead of the jump.
const MAX_GAP_S = 10;

export class SegmentCutter {
  readonly #targetMs: number;
  readonly #partMs: number;
  readonly #primary: "video" | "audio";
  #clock = 0;
  #segStart = 0;
  #partStart = 0;
  #last = 0;
  #delta = 0;
  #started = false;
  /** Ticks lost to jumps inside the open segment/part (their wall durations exclude them). */
  #segSkew = 0;
  #partSkew = 0;
  /** Set when the segment that just started follows a timestamp jump. */
  discontinuity = false;
  #jumped = false;
  /** Seconds of the part / segment closed by the last Part or Segment result. */
  partDuration = 0;
  segmentDuration = 0;
  /** The part that starts with the current frame begins with a keyframe. */
  independent = false;

  constructor(opts: CutterOptions) {
    this.#targetMs = opts.targetMs;
    this.#partMs = opts.partTargetMs ?? 0;
    this.#primary = opts.primary;
  }

  get started(): boolean {
    return this.#started;
  }

  /** Classifies the next frame (frames must come in decode order per track). */
  push(f: Frame): Cut {
    const primary = f.track.kind === this.#primary;
    const restart = primary && (f.key || this.#primary === "audio");
    if (!this.#started) {
      if (!restart) return Cut.Drop;
      this.#started = true;
      this.#clock = f.track.clockRate;
      this.#segStart = this.#partStart = this.#last = f.dts;
      this.independent = true;
      return Cut.Append;
    }
    if (!primary) return Cut.Append;
    const clock = this.#clock;
    let gap = f.dts - this.#last;
    if (gap < 0 || gap > MAX_GAP_S * clock) {
      // Count the jump as one frame interval so durations stay true to the media played.
      const skew = gap - this.#delta;
      this.#segSkew += skew;
      this.#partSkew += skew;
      this.#jumped = true;
      gap = this.#delta;
    } else if (gap > 0) this.#delta = gap;
    this.#last = f.dts;
    const segTicks = f.dts - this.#segStart - this.#segSkew;
    if (restart && segTicks * 1000 >= (this.#targetMs * clock) - this.#delta * 500) {
      this.segmentDuration = segTicks / clock;
      this.partDuration = (f.dts - this.#partStart - this.#partSkew) / clock;
      this.#segStart = this.#partStart = f.dts;
      this.#segSkew = this.#partSkew = 0;
      this.discontinuity = this.#jumped;
      this.#jumped = false;
      this.independent = f.key || this.#primary === "audio";
      return Cut.Segment;
    }
    if (this.#partMs > 0) {
      const partTicks = f.dts - this.#partStart - this.#partSkew;
      // End the part before this frame if including it would overshoot the target (1 ms slack).
      const over = (partTicks + this.#delta) * 1000 > (this.#partMs + 1) * clock;
      if (partTicks > 0 && (restart || over)) {
        this.partDuration = partTicks / clock;
        this.#partStart = f.dts;
        this.#partSkew = 0;
        this.independent = restart;
        return Cut.Part;
      }
    }
    return Cut.Append;
  }

  /** Durations of the open part and segment if they ended now (end of stream): one interval past the last frame. */
  flush(): { partDuration: number; segmentDuration: number } {
    if (!this.#started) return { partDuration: 0, segmentDuration: 0 };
    const end = this.#last + this.#delta;
    return {
      partDuration: (end - this.#partStart - this.#partSkew) / this.#clock,
      segmentDuration: (end - this.#segStart - this.#segSkew) / this.#clock,
    };
  }
}
