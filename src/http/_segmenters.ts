/**
 * The live segmenters of HLS and DASH: one per stream per variant, fed by one Reader, shared by
 * every HTTP client. Created on the first request (or at publish), kept a grace period after the
 * publisher leaves (players fetch the last segments and see the end), and dropped when nobody has
 * asked for them for a while. Also counts players for /api/live (HTTP players are stateless: a
 * client counts while it keeps polling).
 */
import type { Frame, Reader, Stream } from "../core/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { LiveSessions } from "./live_sessions.ts";

/** What a segmenter offers the registry. */
export interface LiveOutput {
  push(frames: readonly Frame[]): void;
  end(): void;
  readonly ended: boolean;
}

export interface RegistryOptions {
  /** Player protocol name for stream.attachPlayer ("hls", "dash"). */
  protocol: string;
  /** After the publisher leaves, the ended output stays servable this long. */
  graceMs: number;
  /** A live output nobody asked for this long is stopped (unless pinned). */
  idleMs: number;
  /** A player not seen for this long no longer counts. */
  playerTimeoutMs: number;
  log: Logger;
  sessions?: LiveSessions;
}

interface Entry<T> {
  id: string;
  stream: Stream;
  out: T;
  reader?: Reader;
  lastUsed: number;
  pinned: boolean;
  endedAt: number;
  clients: Map<string, { seen: number; release: () => void }>;
}

const SWEEP_MS = 1000;

export class SegmenterRegistry<T extends LiveOutput> {
  readonly #o: RegistryOptions;
  #entries = new Map<string, Entry<T>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #unregister = () => {};

  constructor(opts: RegistryOptions) {
    this.#o = opts;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The live output of `stream` for `variant`, created (and fed) if needed. `create` gets the
   * previous output of the same key (an earlier publish), so numbering can continue.
   */
  acquire(
    stream: Stream,
    variant: string,
    create: (prev: T | undefined) => T,
    opts: { pinned?: boolean; fresh?: (out: T) => boolean } = {},
  ): T {
    const id = `${variant}|${stream.key}`;
    const e = this.#entries.get(id);
    if (e && e.stream === stream && !e.endedAt && (opts.fresh?.(e.out) ?? true)) {
      e.lastUsed = Date.now();
      if (opts.pinned) e.pinned = true;
      return e.out;
    }
    if (e) {
      if (e.stream === stream && !e.endedAt) {
        this.#o.log.info("segmenter restart: the stream's tracks changed", { key: stream.key, variant });
      }
      this.#dispose(e);
    }
    const entry: Entry<T> = {
      id,
      stream,
      out: create(e?.out),
      lastUsed: Date.now(),
      pinned: opts.pinned ?? false,
      endedAt: 0,
      clients: new Map(),
    };
    this.#entries.set(id, entry);
    entry.reader = stream.addReader((frames) => entry.out.push(frames), {
      onClose: (_r, reason) => this.#finished(entry, reason),
    });
    this.#o.log.info("segmenter start", { key: stream.key, variant, proto: this.#o.protocol });
    this.#startSweep();
    return entry.out;
  }

  /** The output serving `key`'s segments (live or within its grace period). */
  find(key: string, variant: string): T | undefined {
    const e = this.#entries.get(`${variant}|${key}`);
    if (!e) return undefined;
    e.lastUsed = Date.now();
    return e.out;
  }

  /** Counts `client` (address + user agent) as a player of the output while it keeps polling. */
  seen(key: string, variant: string, client: string): void {
    const e = this.#entries.get(`${variant}|${key}`);
    if (!e || e.endedAt) return;
    const c = e.clients.get(client);
    if (c) c.seen = Date.now();
    else e.clients.set(client, { seen: Date.now(), release: e.stream.attachPlayer(this.#o.protocol) });
  }

  #finished(e: Entry<T>, reason: string) {
    e.out.end();
    e.endedAt = Date.now();
    this.#releaseClients(e);
    this.#o.log.info("segmenter stop", { key: e.stream.key, proto: this.#o.protocol, reason });
  }

  #releaseClients(e: Entry<T>) {
    for (const c of e.clients.values()) c.release();
    e.clients.clear();
  }

  #dispose(e: Entry<T>) {
    if (this.#entries.get(e.id) === e) this.#entries.delete(e.id);
    if (!e.endedAt) e.reader?.close("segmenter dropped");
    this.#releaseClients(e);
  }

  #startSweep() {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(this.#sweep, SWEEP_MS);
    this.#unregister = this.#o.sessions?.add(() => this.close()) ?? (() => {});
  }

  #sweep = () => {
    const now = Date.now();
    for (const e of [...this.#entries.values()]) {
      if (e.endedAt) {
        if (now - e.endedAt > this.#o.graceMs) this.#dispose(e);
        continue;
      }
      for (const [id, c] of e.clients) {
        if (now - c.seen > this.#o.playerTimeoutMs) {
          c.release();
          e.clients.delete(id);
        }
      }
      if (!e.pinned && now - e.lastUsed > this.#o.idleMs) {
        e.reader?.close(`no request for ${Math.round(this.#o.idleMs / 1000)} s`);
        this.#dispose(e);
      }
    }
    if (this.#entries.size === 0) this.#stopSweep();
  };

  #stopSweep() {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unregister();
    this.#unregister = () => {};
  }

  /** Stops every output (server stop). Later requests start fresh ones. */
  close(): void {
    for (const e of [...this.#entries.values()]) this.#dispose(e);
    this.#stopSweep();
  }

  stats(): Record<string, unknown> {
    let live = 0, players = 0;
    for (const e of this.#entries.values()) {
      if (!e.endedAt) live++;
      players += e.clients.size;
    }
    return { outputs: this.#entries.size, live, players };
  }
}

/** Waits for `ready` on the segmenter until the client leaves or `ms` pass. */
export async function waitUntil(
  seg: { wait(ready: () => boolean, signal?: AbortSignal): Promise<boolean> },
  ready: () => boolean,
  req: Request,
  ms: number,
): Promise<boolean> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const onAbort = () => ac.abort();
  req.signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await seg.wait(ready, ac.signal);
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener("abort", onAbort);
  }
}
