/**
 * File-descriptor accounting for every listener of the process. A server that accepts until the
 * kernel says EMFILE cannot open a log file, a recording segment or the next accept; so listeners
 * ask `hasRoom(reserve)` before keeping a new connection and refuse it (accept, close) while fewer
 * than `reserve` descriptors are left under the soft limit.
 *
 * Linux only: the limit comes from /proc/self/limits and the count from /proc/self/fd. Elsewhere
 * both are unknown and every check passes (the accept back-off still protects the process).
 */
import type { Logger } from "../log/mod.ts";

/** How often the open descriptors are counted at most: a directory read costs ~1 µs per fd. */
const SAMPLE_MS = 250;

export interface FdBudgetOptions {
  /** Soft limit of open files; undefined = unknown (never refuse). Default: read from /proc. */
  limit?: number;
  /** Counts the open descriptors; undefined = unknown. Default: entries of /proc/self/fd. */
  count?: () => number | undefined;
  /** Clock for sampling (tests). */
  now?: () => number;
}

export class FdBudget {
  readonly limit: number | undefined;
  #count: () => number | undefined;
  #now: () => number;
  #open: number | undefined;
  #sampledAt = -Infinity;
  #announced = false;

  constructor(o: FdBudgetOptions = {}) {
    this.limit = "limit" in o ? o.limit : readFdLimit();
    this.#count = o.count ?? countOpenFds;
    this.#now = o.now ?? (() => performance.now());
  }

  /** Logs the limit once per process (the first listener to start does it). */
  announce(log: Logger): void {
    if (this.#announced) return;
    this.#announced = true;
    if (this.limit === undefined) log.info("fd limit unknown: no descriptor reserve is kept");
    else log.info("fd limit", { soft: this.limit, open: this.open() });
  }

  /** Open descriptors as of the last sample (at most SAMPLE_MS old); undefined when unknown. */
  open(): number | undefined {
    const now = this.#now();
    if (now - this.#sampledAt >= SAMPLE_MS) {
      this.#sampledAt = now;
      this.#open = this.#count();
    }
    return this.#open;
  }

  /** Counts one more descriptor until the next sample (an accepted connection). */
  taken(): void {
    if (this.#open !== undefined) this.#open++;
  }

  /**
   * Whether a new connection may stay open with `reserve` descriptors still left under the limit.
   * A count that fails (itself out of descriptors) means no room.
   */
  hasRoom(reserve: number): boolean {
    if (this.limit === undefined || reserve <= 0) return true;
    // With a known limit, a count that fails is itself a sign of running out.
    const open = this.open();
    return open !== undefined && open + reserve < this.limit;
  }
}

/** "Max open files" soft limit of this process, or undefined where /proc is not there. */
export function readFdLimit(): number | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync("/proc/self/limits");
  } catch {
    return undefined;
  }
  return parseFdLimit(text);
}

/** The soft limit from /proc/self/limits text; undefined for "unlimited" or a missing line. */
export function parseFdLimit(text: string): number | undefined {
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (!m || !/^\d+$/.test(m[1])) return undefined;
  return Number(m[1]);
}

/** Open descriptors of this process; undefined when they cannot be counted. */
export function countOpenFds(): number | undefined {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
    return n - 1; // the directory handle we read it through
  } catch {
    return undefined;
  }
}

let shared: FdBudget | undefined;

/** The process's budget, shared by every listener (one count serves them all). */
export function processFdBudget(): FdBudget {
  return shared ??= new FdBudget();
}
