/**
 * UDP port windows for peer connections. werift finds a port by binding a probe socket in the range,
 * closing it and binding again: two peer connections searching the same range at once can both
 * pick the same port, and the loser's bind fails. So each peer connection gets a window of the
 * `<rtp min max>` range to itself (one port per host address, plus spares for ports other programs
 * hold), handed out round-robin and given back when the session ends.
 */

export class PortWindows {
  readonly min: number;
  readonly max: number;
  readonly size: number;
  #used = new Set<number>();
  #next = 0;

  constructor(min: number, max: number, size: number) {
    this.min = min;
    this.max = max;
    // werift needs min < max in a range, so a window has at least two ports.
    this.size = Math.max(2, size);
  }

  /** How many windows the range holds. */
  get count(): number {
    return Math.floor((this.max - this.min + 1) / this.size);
  }

  get inUse(): number {
    return this.#used.size;
  }

  /** A free window [first, last], or undefined when every one is taken. */
  take(): [number, number] | undefined {
    const n = this.count;
    for (let i = 0; i < n; i++) {
      const w = (this.#next + i) % n;
      if (this.#used.has(w)) continue;
      this.#used.add(w);
      this.#next = (w + 1) % n;
      const first = this.min + w * this.size;
      return [first, first + this.size - 1];
    }
    return undefined;
  }

  /** Gives a window back (idempotent). */
  give(window: readonly [number, number]): void {
    this.#used.delete(Math.floor((window[0] - this.min) / this.size));
  }
}
