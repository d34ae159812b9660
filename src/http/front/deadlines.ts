/**
 * The HTTP front's per-connection deadlines (request head, keep-alive idle) on one shared timer:
 * arming or clearing one is a number written, where a timer each cost a `setTimeout` and a
 * `clearTimeout` per request (about a tenth of the CPU of an HLS poll, measured with 200 pollers).
 *
 * The timer is set for the earliest deadline, not ticking: waking the process costs far more than
 * the sweep it runs (a 100 ms tick alone cost an otherwise idle process about 5 ms of CPU a second
 * here), and these deadlines are seconds long and nearly always re-armed or cleared before they
 * run out. When it fires it ends the deadlines that ran out and sets itself for
 * the next one. Arming one earlier than the timer moves the timer; that happens about once per
 * shortest limit, not per request, because after the move later armings fall behind it again.
 * A deadline runs out up to `tickMs` late: the timer never fires sooner than that after being set,
 * so deadlines close together are ended by one wake-up.
 */
/** Timers may fire a fraction of a millisecond before their time: such deadlines count as run out. */
const EARLY_MS = 1;

export class Deadlines {
  readonly tickMs: number;
  readonly #armed = new Set<Deadline>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires (performance.now() ms), Infinity when none is set. */
  #timerAt = Infinity;
  /** Times the timer was set (for tests: it follows the earliest deadline, it does not tick). */
  timerSets = 0;

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

  /** Whether the timer is set (it is not while nothing is armed). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Called by `Deadline.arm`: keeps `d` in the set and the timer no later than its time. */
  track(d: Deadline, tracked: boolean): void {
    if (!tracked) this.#armed.add(d);
    if (d.at < this.#timerAt) this.#set(d.at);
  }

  #set(at: number) {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const now = performance.now();
    const delay = Math.max(this.tickMs, at - now);
    const timer = setTimeout(this.#fire, delay);
    // Never what keeps the process alive.
    Deno.unrefTimer(timer as unknown as number);
    this.#timer = timer;
    this.#timerAt = now + delay;
    this.timerSets++;
  }

  #fire = () => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const d of this.#armed) {
      if (d.at === 0) this.#armed.delete(d); // cleared since
      else if (d.at <= now + EARLY_MS) {
        this.#armed.delete(d);
        d.at = 0;
        try {
          d.expire(d.why);
        } catch { /* a closing connection's error is its own */ }
      } else if (d.at < next) next = d.at;
    }
    // An expire may have armed again (and set the timer); otherwise wait for the earliest left.
    if (next < this.#timerAt) this.#set(next);
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
    this.#owner.track(this, tracked);
  }

  /** No deadline (the next wake-up forgets it). */
  clear(): void {
    this.at = 0;
  }
}

/** The front's deadlines: every connection of the process on one timer. */
export const frontDeadlines = new Deadlines();
