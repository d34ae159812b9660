/**
 * What every accept loop needs between `listener.accept()` and handing a connection over: the
 * connection limits (in total, per client address, and the process's descriptor reserve), a
 * back-off after a failed accept, and log lines that stay few however hard a port is hammered.
 *
 *   const guard = new AcceptGuard({ name: "rtmp", log, limits });
 *   for (;;) {
 *     let conn; try { conn = await listener.accept(); } catch (e) { await guard.failed(e); continue; }
 *     const release = guard.admit(conn);   // undefined: refused, and already closed
 *     if (release) handle(conn).finally(release);
 *   }
 */
import type { Logger } from "../log/mod.ts";
import type { ListenerCounters } from "../metrics/mod.ts";
import { type FdBudget, processFdBudget } from "./fd_budget.ts";

export interface ConnLimits {
  /** Open connections of this listener (plain and TLS together); 0 = no limit. */
  maxConns: number;
  /** Open connections from one client address; 0 = no limit. */
  maxConnsPerIp: number;
  /** Descriptors kept free under the process's soft limit; 0 = never refuse for descriptors. */
  fdReserve: number;
}

export const DEFAULT_LIMITS: ConnLimits = { maxConns: 10_000, maxConnsPerIp: 4096, fdReserve: 64 };

/** First wait after a failed accept, doubled each time up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 10;
const MAX_BACKOFF_MS = 1000;

export interface AcceptGuardOptions {
  /** Protocol name for log lines, e.g. "rtmp". */
  name: string;
  log: Logger;
  limits?: Partial<ConnLimits>;
  budget?: FdBudget;
}

export class AcceptGuard {
  #name: string;
  #limits: ConnLimits;
  #budget: FdBudget;
  #open = 0;
  #perIp = new Map<string, number>();
  #backoff = 0;
  #refusals: RareLog;
  #failures: RareLog;
  /** Refused since start, by reason (for stats). */
  readonly refused = { maxConns: 0, maxConnsPerIp: 0, fds: 0 };
  acceptErrors = 0;

  constructor(o: AcceptGuardOptions) {
    this.#name = o.name;
    this.#limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.#budget = o.budget ?? processFdBudget();
    this.#refusals = new RareLog(o.log);
    this.#failures = new RareLog(o.log);
  }

  /** Open connections admitted and not yet released. */
  get open(): number {
    return this.#open;
  }

  /** For the metrics: reasons named as the config elements that refuse (maxconns, maxconnsperip, fdreserve). */
  counters(): ListenerCounters {
    const r = this.refused;
    return {
      open: this.#open,
      refused: { maxconns: r.maxConns, maxconnsperip: r.maxConnsPerIp, fdreserve: r.fds },
      acceptErrors: this.acceptErrors,
    };
  }

  /** A reload: applies to the next accept; connections already open stay. */
  setLimits(l: Partial<ConnLimits>): void {
    this.#limits = { ...this.#limits, ...l };
  }

  /**
   * Keeps `conn` within the limits and returns the function to call once it is closed, or closes
   * it at once and returns undefined (one log line per second at most across refusals).
   */
  admit(conn: Deno.Conn): (() => void) | undefined {
    this.#backoff = 0;
    const ip = (conn.remoteAddr as Deno.NetAddr).hostname ?? "";
    const l = this.#limits;
    const fromIp = this.#perIp.get(ip) ?? 0;
    let why: keyof AcceptGuard["refused"] | undefined;
    if (l.maxConns > 0 && this.#open >= l.maxConns) why = "maxConns";
    else if (l.maxConnsPerIp > 0 && fromIp >= l.maxConnsPerIp) why = "maxConnsPerIp";
    else if (!this.#budget.hasRoom(l.fdReserve)) why = "fds";
    if (why) {
      try {
        conn.close();
      } catch { /* already gone */ }
      this.refused[why]++;
      this.#refusals.warn(`${this.#name} connection refused`, () => ({
        reason: refusalText(why, l, this.#budget),
        remote: ip,
      }));
      return undefined;
    }
    this.#budget.taken();
    this.#open++;
    this.#perIp.set(ip, fromIp + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#open--;
      const n = (this.#perIp.get(ip) ?? 1) - 1;
      if (n > 0) this.#perIp.set(ip, n);
      else this.#perIp.delete(ip);
    };
  }

  /**
   * After an accept that threw (EMFILE, ENFILE, ECONNABORTED…): waits 10 ms, doubling up to 1 s
   * while failures repeat, so an exhausted process does not spin on the same error.
   */
  /** The wait after the latest failed accept (ms); 0 once an accept succeeded. */
  get backoffMs(): number {
    return this.#backoff;
  }

  failed(err: unknown): Promise<void> {
    this.acceptErrors++;
    this.#backoff = this.#backoff ? Math.min(this.#backoff * 2, MAX_BACKOFF_MS) : FIRST_BACKOFF_MS;
    const wait = this.#backoff;
    this.#failures.warn(`${this.#name} accept failed`, () => ({ error: errorText(err), retry_ms: wait }));
    return new Promise((r) => setTimeout(r, wait));
  }
}

function refusalText(why: keyof AcceptGuard["refused"], l: ConnLimits, b: FdBudget): string {
  if (why === "maxConns") return `${l.maxConns} connections open: the listener's limit (maxconns)`;
  if (why === "maxConnsPerIp") {
    return `${l.maxConnsPerIp} connections open from this address: the limit (maxconnsperip)`;
  }
  return `${b.open() ?? "?"} descriptors open of ${b.limit}: ${l.fdReserve} are kept free (fdreserve)`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * At most one line per second; a line after a quiet spell says how many were left out. Fields are
 * built only for lines actually written (a storm costs no formatting).
 */
export class RareLog {
  #log: Logger;
  #last = -Infinity;
  #skipped = 0;
  constructor(log: Logger) {
    this.#log = log;
  }

  warn(msg: string, fields: () => Record<string, unknown>): void {
    const now = performance.now();
    if (now - this.#last < 1000) {
      this.#skipped++;
      return;
    }
    this.#last = now;
    const f = fields();
    if (this.#skipped > 0) f.suppressed = this.#skipped;
    this.#skipped = 0;
    this.#log.warn(msg, f);
  }
}
