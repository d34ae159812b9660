/**
 * Delivers hook events: each a JSON POST to the operator's URL, one at a time and in order (an
 * unpublish never overtakes its publish), never holding up the stream that raised it. A slow or
 * absent hook server costs a bounded queue: past `maxQueue` the oldest event is dropped and counted.
 * Each call has a deadline; a failure is not retried (the event carries `seq`, so a gap shows).
 * Failures are logged at most once per `logEveryMs`, with how many there were.
 */
import type { Logger } from "../log/mod.ts";

export interface HookSenderOptions {
  url: string;
  timeoutMs: number;
  log: Logger;
  /** Events waiting at most; default 1000. */
  maxQueue?: number;
  /** Failure lines at most this often; default 10 s. */
  logEveryMs?: number;
}

export interface HookCounts {
  ok: number;
  failed: number;
  dropped: number;
}

export type HookEvent = { event: string } & Record<string, unknown>;

/** The URL as logs show it: without user:password and without the query (a token may be there). */
export function shown(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//").replace(/\?.*$/, "");
}

export class HookSender {
  /** Per event name: delivered (2xx), failed (other status, network error, deadline), dropped (queue full). */
  readonly counts = new Map<string, HookCounts>();
  #o: Required<HookSenderOptions>;
  #queue: HookEvent[] = [];
  #head = 0;
  #running: Promise<void> | undefined;
  #seq = 0;
  #failedSinceLog = 0;
  #lastLog = 0;
  #closed = false;

  constructor(opts: HookSenderOptions) {
    this.#o = { maxQueue: 1000, logEveryMs: 10_000, ...opts };
  }

  /** Lists an event at zero, so that its series exist in /metrics before the first one happens. */
  declare(event: string): void {
    this.#count(event);
  }

  /** A reload: later calls go to the new URL with the new deadline. */
  configure(url: string, timeoutMs: number): void {
    this.#o.url = url;
    this.#o.timeoutMs = timeoutMs;
  }

  /** Queues one event (with `seq` and `time` added); never blocks and never throws. */
  send(e: HookEvent): void {
    if (this.#closed) return;
    if (this.#queue.length - this.#head >= this.#o.maxQueue) {
      const old = this.#queue[this.#head++];
      this.#count(old.event).dropped++;
    }
    this.#queue.push({ ...e, seq: ++this.#seq, time: new Date().toISOString() });
    this.#running ??= this.#drain().finally(() => this.#running = undefined);
  }

  /**
   * Delivers what is queued within one call's deadline (a stop's unpublish events), then takes no
   * more; what is left then is dropped and counted, so a hook server that is away cannot hold a stop.
   */
  async close(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#running,
      // A little past the deadline, so that a call under way ends by its own and is counted.
      new Promise((r) => timer = setTimeout(r, this.#o.timeoutMs + 200)),
    ]).finally(() => clearTimeout(timer));
    this.#closed = true;
    while (this.#head < this.#queue.length) this.#count(this.#queue[this.#head++].event).dropped++;
  }

  #count(event: string): HookCounts {
    let c = this.counts.get(event);
    if (!c) this.counts.set(event, c = { ok: 0, failed: 0, dropped: 0 });
    return c;
  }

  async #drain(): Promise<void> {
    while (this.#head < this.#queue.length && !this.#closed) {
      const e = this.#queue[this.#head++];
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      const why = await this.#post(e);
      if (why === undefined) {
        this.#count(e.event).ok++;
        continue;
      }
      this.#count(e.event).failed++;
      this.#failedSinceLog++;
      const now = Date.now();
      if (now - this.#lastLog >= this.#o.logEveryMs) {
        this.#o.log.warn("hook call failed", {
          url: shown(this.#o.url),
          event: e.event,
          why,
          failed: this.#failedSinceLog,
        });
        this.#lastLog = now;
        this.#failedSinceLog = 0;
      }
    }
  }

  /** One POST; undefined when it was answered 2xx, else why not. */
  async #post(e: HookEvent): Promise<string | undefined> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.#o.timeoutMs);
    try {
      const res = await fetch(this.#o.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Estuary" },
        body: JSON.stringify(e),
        signal: ctl.signal,
        redirect: "manual",
      });
      await res.body?.cancel().catch(() => {});
      return res.status >= 200 && res.status < 300 ? undefined : `answered ${res.status}`;
    } catch (err) {
      return ctl.signal.aborted
        ? `no answer within ${this.#o.timeoutMs} ms`
        : (err as Error)?.message ?? String(err);
    } finally {
      clearTimeout(timer);
    }
  }
}
