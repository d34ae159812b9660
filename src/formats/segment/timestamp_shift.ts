/**
 * Rebases decode and presentation times onto a segmenter's timeline. fMP4 decode times (tfdt) are
 * unsigned, but ingest timestamps may start below zero (a B-frame stream's first dts, an RTSP
 * clock). One offset in whole seconds, fixed by the first frames, keeps every track non-negative
 * and keeps the tracks aligned with each other (the same wall offset on every clock).
 */
import type { Frame } from "../../core/frame.ts";

export class TimestampShift {
  #offsetS: number | undefined;

  /** The offset in seconds, once fixed (undefined before the first frames). */
  get offsetS(): number | undefined {
    return this.#offsetS;
  }

  /** Ticks to add to a frame of `clockRate`; fixed by the first frames seen. */
  ticks(frames: readonly Frame[], clockRate: number): number {
    if (this.#offsetS === undefined) {
      let min = 0;
      for (const f of frames) min = Math.min(min, f.dts / f.track.clockRate);
      // A second of margin: a later frame of another track may start slightly earlier.
      this.#offsetS = min < 0 ? Math.ceil(-min) + 1 : 0;
    }
    return this.#offsetS * clockRate;
  }
}

/**
 * The frames of one track kind, shifted by `shift` ticks. Frames are immutable and shared with
 * every other reader, so a shift makes new frame objects; without one the originals are returned.
 */
export function shiftedFrames(frames: readonly Frame[], kind: "video" | "audio", shift: number): Frame[] {
  const out: Frame[] = [];
  for (const f of frames) {
    if (f.track.kind !== kind) continue;
    out.push(shift === 0 ? f : { ...f, dts: Math.max(0, f.dts + shift), pts: Math.max(0, f.pts + shift) });
  }
  return out;
}
