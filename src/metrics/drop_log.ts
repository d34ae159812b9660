/**
 * Drops as periodic summaries: a slow consumer can lose frames many times a second, so one line per
 * drop would flood the log and one line per stream lifetime hides that it goes on. Each line says
 * what a stream lost since its previous line, and a stream gets at most one line per interval.
 * No timer runs while nothing drops.
 */
import type { DropReason, Hub, Stream } from "../core/mod.ts";
import type { Logger } from "../log/mod.ts";

export interface DropLogOptions {
  hub: Hub;
  log: Logger;
  /** The shortest time between two lines (default 10 s). */
  intervalMs?: number;
  /** How long the first drop after a quiet interval waits, so its burst fits in one line (default 1 s). */
  firstDelayMs?: number;
}

const REASONS: readonly DropReason[] = ["reader_queue", "player_backlog"];

interface Logged {
  frames: Record<DropReason, number>;
  bytes: number;
  at: number;
}

function totals(s: Stream): Logged {
  const d = s.stats.dropped;
  return {
    frames: { reader_queue: d.reader_queue.frames, player_backlog: d.player_backlog.frames },
    bytes: d.reader_queue.bytes + d.player_backlog.bytes,
    at: Date.now(),
  };
}

export class DropLog {
  #log: Logger;
  #hub: Hub;
  #intervalMs: number;
  #firstDelayMs: number;
  #watching = new Map<Stream, () => void>();
  /** What each stream's previous line covered (from its start until then). */
  #logged = new WeakMap<Stream, Logged>();
  #dirty = new Set<Stream>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #unsubscribe: (() => void)[];

  constructor(opts: DropLogOptions) {
    this.#log = opts.log;
    this.#hub = opts.hub;
    this.#intervalMs = opts.intervalMs ?? 10_000;
    this.#firstDelayMs = opts.firstDelayMs ?? 1_000;
    for (const s of opts.hub.streams()) this.#watch(s);
    this.#unsubscribe = [
      opts.hub.onPublish((s) => this.#watch(s)),
      opts.hub.onUnpublish((s) => {
        this.#watching.get(s)?.();
        this.#watching.delete(s);
        // The last stream gone (e.g. the server stopping): say what is pending and stop the timer.
        if (this.#hub.streams().length === 0) this.#flush(false);
      }),
    ];
  }

  /** True while a summary is pending or the interval since the last line is running. */
  get active(): boolean {
    return this.#timer !== undefined;
  }

  #watch(s: Stream) {
    if (this.#watching.has(s)) return;
    this.#logged.set(s, { frames: { reader_queue: 0, player_backlog: 0 }, bytes: 0, at: s.startedAt });
    this.#watching.set(s, s.onDrop(this.#note));
  }

  #note = (s: Stream) => {
    this.#dirty.add(s);
    if (this.#timer === undefined) this.#arm(this.#firstDelayMs);
  };

  #arm(ms: number) {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush(true);
    }, ms);
    // A pending summary never keeps the process alive.
    Deno.unrefTimer(this.#timer);
  }

  /** Logs every stream with new drops; with `rearm`, holds the next lines back for an interval. */
  #flush(rearm: boolean) {
    if (!rearm && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#dirty.size === 0) return;
    for (const s of this.#dirty) this.#line(s);
    this.#dirty.clear();
    if (rearm) this.#arm(this.#intervalMs);
  }

  #line(s: Stream) {
    const prev = this.#logged.get(s)!;
    const now = totals(s);
    const bytes = now.bytes - prev.bytes;
    const byReason: Record<string, number> = {};
    let frames = 0;
    for (const r of REASONS) {
      const n = now.frames[r] - prev.frames[r];
      frames += n;
      if (n > 0) byReason[r] = n;
    }
    if (frames === 0 && bytes === 0) return;
    this.#logged.set(s, now);
    this.#log.warn("frames dropped", {
      key: s.key,
      frames,
      ...byReason,
      bytes,
      since_s: Math.round((now.at - prev.at) / 100) / 10,
      total: now.frames.reader_queue + now.frames.player_backlog,
    });
  }

  /** Logs what is pending and stops listening. */
  close(): void {
    this.#flush(false);
    for (const off of this.#watching.values()) off();
    this.#watching.clear();
    for (const off of this.#unsubscribe) off();
  }
}
