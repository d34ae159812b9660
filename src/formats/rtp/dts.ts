/**
 * Decode times for video that arrives with presentation times only (RTP). With a reorder depth of
 * D, the n-th decode time is the n-th smallest presentation time minus D frame durations: this
 * needs D frames of look-ahead, so frames leave D frames late (none when D = 0).
 */
export interface TimedFrame {
  pts: number;
  dts: number;
}

export class DtsExtractor<T extends TimedFrame> {
  #depth: number;
  #window: T[] = [];
  #prevDts = -Infinity;
  /** Presentation times not yet used as a decode time (a multiset). */
  #pending: number[] = [];
  #prevPop = NaN;
  #duration = 0;
  #gaps: number[] = new Array(8).fill(0);
  #gapAt = 0;

  constructor(depth: number) {
    this.#depth = Math.max(0, Math.min(16, depth));
  }

  get depth(): number {
    return this.#depth;
  }

  /** Takes a frame in decode order; appends frames whose `dts` is now set to `out`. */
  push(frame: T, out: T[]): void {
    if (this.#depth === 0) {
      frame.dts = Math.max(frame.pts, this.#prevDts + 1);
      this.#prevDts = frame.dts;
      out.push(frame);
      return;
    }
    this.#window.push(frame);
    this.#pending.push(frame.pts);
    if (this.#window.length > this.#depth) this.#emit(out);
  }

  /** Releases held frames (end of stream, or a new depth at a keyframe). */
  flush(out: T[]): void {
    while (this.#window.length > 0) this.#emit(out);
  }

  /** Changes the depth (a new SPS); call at a keyframe after flush(). */
  setDepth(depth: number): void {
    this.#depth = Math.max(0, Math.min(16, depth));
  }

  #emit(out: T[]): void {
    const pending = this.#pending;
    let minAt = 0;
    for (let i = 1; i < pending.length; i++) if (pending[i] < pending[minAt]) minAt = i;
    const smallest = pending[minAt];
    pending.splice(minAt, 1);
    // The frame duration: the smallest positive gap between nearby presentation times.
    let d = Number.isNaN(this.#prevPop) ? Infinity : smallest - this.#prevPop;
    if (d <= 0) d = Infinity;
    for (const p of pending) {
      const gap = p - smallest;
      if (gap > 0 && gap < d) d = gap;
    }
    this.#prevPop = smallest;
    if (d !== Infinity) {
      this.#gaps[this.#gapAt++ % this.#gaps.length] = d;
      this.#duration = Math.min(...this.#gaps.filter((g) => g > 0));
    }
    const f = this.#window.shift()!;
    let dts = Math.round(smallest - this.#depth * this.#duration);
    if (dts <= this.#prevDts) dts = this.#prevDts + 1;
    if (dts > f.pts) dts = f.pts;
    f.dts = dts;
    this.#prevDts = dts;
    out.push(f);
  }
}
