/**
 * The live segmenters of HLS or DASH, as shared outputs of their streams (`stream.outputs`): one
 * per stream per variant, held by one lease of this registry. Started on the first request (or at
 * publish when pinned), released when nobody has asked for them for `idleMs`, and kept a grace
 * period after the publisher leaves so players fetch the last segments and see the end. A
 * republished stream continues the numbering of the previous one. Also counts players for
 * /api/live: HTTP players are stateless, so a client counts while it keeps polling.
 */
import type { Hono } from "hono";
import type { HotRoute } from "./front/mod.ts";
import type { Lease, Stream } from "../core/mod.ts";
import { isEmpty, type OutputTracks, outputTracks, sameTracks } from "../formats/segment/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { LiveSessions } from "./live_sessions.ts";
import { type LiveSegmenter, SegmenterOutput } from "./_segmenter_output.ts";

/** Read on every use, so a config reload that changes them reaches a running registry. */
export interface RegistryLimits {
  /** After the publisher leaves, the ended segmenter stays servable this long. */
  graceMs: number;
  /** A segmenter nobody asked for this long is released (unless pinned). */
  idleMs: number;
  /** A player not seen for this long no longer counts. */
  playerTimeoutMs: number;
}

export interface RegistryOptions {
  /** Player protocol name for stream.attachPlayer ("hls", "dash"); also names the shared outputs. */
  protocol: string;
  limits: () => RegistryLimits;
  log: Logger;
  sessions?: LiveSessions;
}

/** Counters for the HTTP service's stats and metrics. */
export interface SegmenterStats {
  /** Segmenters held: live ones and ended ones still serving their last segments. */
  outputs: number;
  /** Segmenters still fed by a live stream. */
  live: number;
  /** HTTP players polling them. */
  players: number;
  /** Each live segmenter: its stream, variant (ts, fmp4) and players (for per-path metrics). */
  muxers: { path: string; variant: string; players: number }[];
}

/** The routes of a segmented output (HLS, DASH) and the counters of their segmenters. */
export interface LiveRoutes {
  app: Hono;
  stats(): SegmenterStats;
  /** The front's hot route for the most polled URLs (see HotRoute); undefined = not its request. */
  hot?: HotRoute;
}

/** Makes a segmenter for the carried `tracks`; `prev` is the previous one of the key (numbering continues). */
export type CreateSegmenter<T> = (tracks: OutputTracks, prev: T | undefined) => T;

interface Entry<T extends LiveSegmenter> {
  id: string;
  stream: Stream;
  lease: Lease<SegmenterOutput<T>>;
  lastUsed: number;
  pinned: boolean;
  /** When the stream ended (0 while live): the segmenter now only serves. */
  endedAt: number;
  clients: Map<string, { seen: number; release: () => void }>;
}

/** How often idle segmenters, ended ones and silent players are looked for (finer for short limits). */
const SWEEP_MS = 1000;
const MIN_SWEEP_MS = 10;

export class SegmenterRegistry<T extends LiveSegmenter> {
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
   * The live segmenter of `stream` for `variant`, started (and fed) if needed, or restarted when the
   * stream's tracks changed. Undefined when the stream has no track the output can carry.
   */
  acquire(
    stream: Stream,
    variant: string,
    create: CreateSegmenter<T>,
    opts: { pinned?: boolean } = {},
  ): T | undefined {
    const id = `${variant}|${stream.key}`;
    const e = this.#entries.get(id);
    // Ended between admission and here: serve what it left, never replace it with an empty one.
    if (stream.isEnded) return e?.stream === stream ? e.lease.value.segmenter : undefined;
    if (e && e.stream === stream && !e.endedAt && !e.lease.value.closed) {
      e.lastUsed = Date.now();
      if (opts.pinned) e.pinned = true;
      const out = e.lease.value;
      if (!sameTracks(out.segmenter.tracks, outputTracks(stream).tracks)) {
        const tracks = this.#carried(stream);
        if (isEmpty(tracks)) return undefined;
        this.#o.log.info("segmenter restart: the stream's tracks changed", { key: stream.key, variant });
        out.restart();
      }
      return out.segmenter;
    }
    const tracks = this.#carried(stream);
    if (isEmpty(tracks)) return undefined;
    const prev = e?.lease.value.segmenter;
    if (e) this.#dispose(e);
    const lease = stream.outputs.acquire(
      `${this.#o.protocol}:${variant}`,
      () => new SegmenterOutput<T>(stream, (p) => create(this.#carried(stream, false), p), prev),
    );
    const entry: Entry<T> = {
      id,
      stream,
      lease,
      lastUsed: Date.now(),
      pinned: opts.pinned ?? false,
      endedAt: 0,
      clients: new Map(),
    };
    this.#entries.set(id, entry);
    lease.value.finished.then((reason) => this.#finished(entry, reason));
    this.#o.log.info("segmenter start", { key: stream.key, variant, proto: this.#o.protocol });
    this.#startSweep();
    return lease.value.segmenter;
  }

  /** The carried tracks; logs the ones left out (once per segmenter). */
  #carried(stream: Stream, log = true): OutputTracks {
    const { tracks, left } = outputTracks(stream);
    if (log) {
      for (const { track, why } of left) {
        this.#o.log.info(`${track.kind} left out`, { key: stream.key, codec: track.codec, why });
      }
    }
    return tracks;
  }

  /** The segmenter serving `key`'s segments (live or within its grace period). */
  find(key: string, variant: string): T | undefined {
    const e = this.#entries.get(`${variant}|${key}`);
    if (!e) return undefined;
    e.lastUsed = Date.now();
    return e.lease.value.segmenter;
  }

  /** The segmenter of a stream that has ended, within its grace period. */
  findEnded(key: string, variant: string): T | undefined {
    const e = this.#entries.get(`${variant}|${key}`);
    return e?.endedAt ? e.lease.value.segmenter : undefined;
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
    if (this.#entries.get(e.id) !== e) return; // released by this registry: already gone
    this.#o.log.info("segmenter stop", { key: e.stream.key, proto: this.#o.protocol, reason });
    if (e.stream.isEnded) {
      // Kept for serving only: players fetch the last segments and the final playlist.
      e.endedAt = Date.now();
      this.#releaseClients(e);
    } else {
      this.#dispose(e); // its Reader failed while the stream lives: the next request starts afresh
    }
  }

  #releaseClients(e: Entry<T>) {
    for (const c of e.clients.values()) c.release();
    e.clients.clear();
  }

  #dispose(e: Entry<T>) {
    if (this.#entries.get(e.id) === e) this.#entries.delete(e.id);
    this.#releaseClients(e);
    // The last lease stops the muxing; after the stream's end this is a no-op.
    e.lease.release();
  }

  #startSweep() {
    if (this.#timer !== undefined) return;
    const { graceMs, idleMs } = this.#o.limits();
    const every = Math.max(MIN_SWEEP_MS, Math.min(SWEEP_MS, graceMs / 2, idleMs / 2));
    this.#timer = setInterval(this.#sweep, every);
    this.#unregister = this.#o.sessions?.add(() => this.close()) ?? (() => {});
  }

  #sweep = () => {
    const now = Date.now();
    const { graceMs, idleMs, playerTimeoutMs } = this.#o.limits();
    for (const e of [...this.#entries.values()]) {
      if (e.endedAt) {
        if (now - e.endedAt > graceMs) this.#dispose(e);
        continue;
      }
      for (const [id, c] of e.clients) {
        if (now - c.seen > playerTimeoutMs) {
          c.release();
          e.clients.delete(id);
        }
      }
      if (!e.pinned && now - e.lastUsed > idleMs) {
        this.#o.log.info("segmenter released", {
          key: e.stream.key,
          proto: this.#o.protocol,
          reason: `no request for ${Math.round(idleMs / 1000)} s`,
        });
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

  /** Releases every segmenter (server stop). Later requests start fresh ones. */
  close(): void {
    for (const e of [...this.#entries.values()]) this.#dispose(e);
    this.#stopSweep();
  }

  stats(): SegmenterStats {
    let live = 0, players = 0;
    const muxers: SegmenterStats["muxers"] = [];
    for (const e of this.#entries.values()) {
      players += e.clients.size;
      if (e.endedAt) continue;
      live++;
      muxers.push({ path: e.stream.key, variant: e.id.slice(0, e.id.indexOf("|")), players: e.clients.size });
    }
    return { outputs: this.#entries.size, live, players, muxers };
  }
}
