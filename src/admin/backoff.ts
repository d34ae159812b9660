/**
 * Slows password guessing per client address: after 3 failed logins, each further attempt must wait
 * 1 s, doubling with every failure up to 60 s; a success clears the address. Entries idle for 15
 * minutes are forgotten, and the table is bounded so a spray of addresses cannot grow it forever.
 */
const FREE_FAILURES = 3;
const MAX_WAIT_MS = 60_000;
const FORGET_MS = 15 * 60_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  failures: number;
  last: number;
}

export class LoginBackoff {
  #table = new Map<string, Entry>();
  #now: () => number;

  constructor(now = () => Date.now()) {
    this.#now = now;
  }

  /** Milliseconds this address must still wait before it may try again (0 = may try now). */
  waitMs(addr: string): number {
    const e = this.#table.get(addr);
    if (!e) return 0;
    const now = this.#now();
    if (now - e.last > FORGET_MS) {
      this.#table.delete(addr);
      return 0;
    }
    if (e.failures < FREE_FAILURES) return 0;
    const wait = Math.min(MAX_WAIT_MS, 1000 * 2 ** (e.failures - FREE_FAILURES));
    return Math.max(0, e.last + wait - now);
  }

  failed(addr: string): void {
    const e = this.#table.get(addr) ?? { failures: 0, last: 0 };
    e.failures++;
    e.last = this.#now();
    this.#table.delete(addr);
    this.#table.set(addr, e); // most recent last: the oldest go first when full
    if (this.#table.size > MAX_ENTRIES) this.#table.delete(this.#table.keys().next().value!);
  }

  succeeded(addr: string): void {
    this.#table.delete(addr);
  }
}
