/**
 * Requests that wait for a segment or part that does not exist yet: an LL-HLS blocking playlist
 * reload (`_HLS_msn`/`_HLS_part`), a preload-hinted part, the first playlist or MPD of a young
 * stream. The segmenter wakes its waiters after every push; each waiter re-checks its own
 * condition. A wait may be bounded: one timer per set, armed for the earliest bound, ends them (no
 * timer per request, however many requests block).
 */

/** Anything that can be waited on (HLS and DASH segmenters). */
export interface Waitable {
  /**
   * Resolves true when `ready()` holds, false when the output ended first, `signal` fired or
   * `timeoutMs` passed.
   */
  wait(ready: () => boolean, signal?: AbortSignal, timeoutMs?: number): Promise<boolean>;
}

interface Waiter {
  ready: () => boolean;
  resolve: (ok: boolean) => void;
  /** Deadline (Date.now() ms), Infinity when unbounded. */
  until: number;
}

export class Waiters implements Waitable {
  #waiters = new Set<Waiter>();
  #ended = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires (Infinity when none is armed). */
  #timerAt = Infinity;

  /** Pending waits (stats, tests). */
  get size(): number {
    return this.#waiters.size;
  }

  get ended(): boolean {
    return this.#ended;
  }

  wait(ready: () => boolean, signal?: AbortSignal, timeoutMs?: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (this.#ended || signal?.aborted || (timeoutMs !== undefined && timeoutMs <= 0)) {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const w: Waiter = {
        ready,
        resolve: (ok) => {
          this.#waiters.delete(w);
          signal?.removeEventListener("abort", onAbort);
          if (this.#waiters.size === 0) this.#disarm();
          resolve(ok);
        },
        until: timeoutMs === undefined ? Infinity : Date.now() + timeoutMs,
      };
      const onAbort = () => w.resolve(false);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(w);
      if (w.until < this.#timerAt) this.#arm(w.until);
    });
  }

  #arm(at: number) {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#expire, Math.max(0, at - Date.now()));
  }

  #disarm() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** Ends the waits whose bound has passed, then arms the timer for the next bound. */
  #expire = () => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const w of [...this.#waiters]) {
      if (w.until <= now) w.resolve(w.ready());
      else if (w.until < next) next = w.until;
    }
    if (next < Infinity) this.#arm(next);
  };

  /** Re-checks every waiter: call after new output. */
  wake(): void {
    // Called after every batch of frames: nothing to copy or walk while nobody waits.
    if (this.#waiters.size === 0) return;
    for (const w of [...this.#waiters]) {
      if (w.ready()) w.resolve(true);
      else if (this.#ended) w.resolve(false);
    }
  }

  /** No more output will come: waiters whose condition does not hold now resolve false. */
  end(): void {
    this.#ended = true;
    this.wake();
  }
}

/**
 * Waits on `target` until `ready()` holds, at most `timeoutMs`, and no longer than `signal` (the
 * client's request) lives. Resolves false on timeout, abort or end.
 */
export async function waitAtMost(
  target: Waitable,
  ready: () => boolean,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<boolean> {
  if (ready()) return true;
  return await target.wait(ready, opts.signal, opts.timeoutMs);
}
