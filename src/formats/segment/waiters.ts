/**
 * Requests that wait for a segment or part that does not exist yet: an LL-HLS blocking playlist
 * reload (`_HLS_msn`/`_HLS_part`), a preload-hinted part, the first playlist or MPD of a young
 * stream. The segmenter wakes its waiters after every push; each waiter re-checks its own
 * condition. The only timer here is the caller's bound on one wait.
 */

/** Anything that can be waited on (HLS and DASH segmenters). */
export interface Waitable {
  /** Resolves true when `ready()` holds, false when the output ended first or `signal` fired. */
  wait(ready: () => boolean, signal?: AbortSignal): Promise<boolean>;
}

interface Waiter {
  ready: () => boolean;
  resolve: (ok: boolean) => void;
}

export class Waiters implements Waitable {
  #waiters = new Set<Waiter>();
  #ended = false;

  /** Pending waits (stats, tests). */
  get size(): number {
    return this.#waiters.size;
  }

  get ended(): boolean {
    return this.#ended;
  }

  wait(ready: () => boolean, signal?: AbortSignal): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (this.#ended || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w: Waiter = {
        ready,
        resolve: (ok) => {
          this.#waiters.delete(w);
          signal?.removeEventListener("abort", onAbort);
          resolve(ok);
        },
      };
      const onAbort = () => w.resolve(false);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(w);
    });
  }

  /** Re-checks every waiter: call after new output. */
  wake(): void {
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
  if (opts.signal?.aborted) return false;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), opts.timeoutMs);
  const onAbort = () => ac.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await target.wait(ready, ac.signal);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
