/**
 * The HTTP front's per-connection deadlines (request head, keep-alive idle) on one shared timer:
 * arming or clearing one is a number written, where a timer each cost a `setTimeout` and a
 * `clearTimeout` per request (about a tenth of the CPU of an HLS poll, measured with 200 pollers).
 * A sweep runs every `tickMs` while any deadline is armed, so one fires up to `tickMs` late: these
 * limits are seconds long.
 */
export class Deadlines {
  readonly tickMs: number;
  readonly #armed = new Set<Deadline>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(tickMs = 100) {
    this.tickMs = tickMs;
  }

  /** A deadline for one connection; `expire(why)` runs once for each arming that runs out. */
  create(expire: (why: string) => void): Deadline {
    return new Deadline(this, expire);
  }

  /** Deadlines armed now (for tests). */
  get armed(): number {
    let n = 0;
    for (const d of this.#armed) if (d.at > 0) n++;
    return n;
  }

  /** Whether the sweep timer runs (it stops when nothing is armed). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  track(d: Deadline): void {
    this.#armed.add(d);
    if (this.#timer === undefined) {
      const timer = setInterval(this.#sweep, this.tickMs);
      // Never what keeps the process alive.
      Deno.unrefTimer(timer as unknown as number);
      this.#timer = timer;
    }
  }

  #sweep = () => {
    const now = performance.now();
    for (const d of this.#armed) {
      if (d.at === 0) this.#armed.delete(d); // cleared since
      else if (d.at <= now) {
        this.#armed.delete(d);
        d.at = 0;
        try {
          d.expire(d.why);
        } catch { /* a closing connection's error is its own */ }
      }
    }
    if (this.#armed.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  };
}

export class Deadline {
  /** When it runs out (performance.now() ms), or 0 when not armed. */
  at = 0;
  why = "";
  readonly #owner: Deadlines;
  readonly expire: (why: string) => void;

  constructor(owner: Deadlines, expire: (why: string) => void) {
    this.#owner = owner;
    this.expire = expire;
  }

  /** Runs out `ms` from now with reason `why` (replacing any earlier arming). */
  arm(ms: number, why: string): void {
    const tracked = this.at > 0;
    this.at = performance.now() + Math.max(1, ms);
    this.why = why;
    if (!tracked) this.#owner.track(this);
  }

  /** No deadline (the sweep forgets it). */
  clear(): void {
    this.at = 0;
  }
}

/** The front's deadlines: every connection of the process on one sweep. */
export const frontDeadlines = new Deadlines();
