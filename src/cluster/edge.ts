/**
 * Edge pull (origin/edge): when a player asks for a stream that is not published here, it is played
 * from the first origin that has it (RTMP, our client) and published locally, so every player of it
 * here shares that one pull and every output works as for any stream. The pull stops `idleMs` after
 * its last player leaves, and when the origin ends the stream. An origin that refuses or fails moves
 * on to the next one. The pull carries this server's id in the forward chain, so two servers that
 * name each other as origins refuse the loop instead of pulling in circles.
 */
import type { Hub, Stream } from "../core/mod.ts";
import { type AdmissionRequest, type Frame, type Track } from "../core/mod.ts";
import type { Logger } from "../log/mod.ts";
import { RtmpClient } from "../protocols/rtmp/mod.ts";
import { VIA_PROPERTY, viaValue } from "../protocols/rtmp/via.ts";
import { openSource, type Source } from "./sources.ts";

export interface EdgeOptions {
  /** Origins in order: host[:port], or rtmp:// / rtmps:// base URLs (the app/name are appended). */
  origins: string[];
  /** A pull with no player for this long stops. */
  idleMs: number;
  /** Connect + play on one origin must succeed within this. */
  timeoutMs: number;
  /** How long a player waits for the pull's first frames. */
  waitMs: number;
  /**
   * The origins for one stream, when they depend on it (a sibling worker that has it); `origins` is
   * used without it. None: the stream is not pulled.
   */
  originsFor?: (req: AdmissionRequest) => string[];
  /** The pulled streams are sibling workers' streams (AdmissionRequest.relay). */
  relay?: boolean;
  /** Extra connect properties for an RTMP origin (a sibling worker's relay secret). */
  connectProperties?: Record<string, string>;
  /** The protocol a pulled stream is published over at its origin (a sibling's), when known; else the pull's. */
  fromFor?: (req: AdmissionRequest) => string | undefined;
}

export interface EdgePullStats {
  key: string;
  origin: string;
  startedAt: number;
  frames: number;
}

/**
 * The play URL of `app/name` on an origin entry, carrying the query of the player that started the
 * pull (its token, for an origin with an auth callback: SRS's edge token traverse): after the stream
 * name over RTMP, as extra keys of the stream id over SRT (keys that are plain words only).
 */
export function originUrl(origin: string, app: string, name: string, query = ""): string {
  const o = origin.trim();
  const q = query.replace(/^\?/, "");
  if (/^srt:\/\//i.test(o)) {
    // SRT carries the stream in the stream id (Estuary's and SRS's `#!::r=…,m=request` form).
    const keys = q.split("&").filter((kv) => /^[A-Za-z0-9_]+=[A-Za-z0-9_.~-]*$/.test(kv)).map((kv) =>
      `,${kv}`
    );
    return `${o.replace(/^(srt:\/\/[^/?]+).*$/i, "$1")}?streamid=#!::r=${app}/${name},m=request${
      keys.join("")
    }`;
  }
  const base = /^rtmps?:\/\//i.test(o) ? o.replace(/\/+$/, "") : `rtmp://${o}`;
  return `${base}/${app}/${name}${q ? `?${q}` : ""}`;
}

interface Pull {
  key: string;
  origin: string;
  client?: RtmpClient;
  /** Ends a non-RTMP source. */
  close?: (why: string) => void;
  stream?: Stream;
  startedAt: number;
  frames: number;
  stopped: boolean;
}

export class EdgePuller {
  #hub: Hub;
  #log: Logger;
  #opts: EdgeOptions;
  #pulls = new Map<string, Pull>();
  #timer: ReturnType<typeof setInterval>;
  #idleSince = new Map<string, number>();

  constructor(hub: Hub, log: Logger, opts: EdgeOptions) {
    this.#hub = hub;
    this.#log = log.child({ svc: "edge" });
    this.#opts = opts;
    this.#timer = setInterval(() => this.#checkIdle(), 500);
  }

  configure(opts: EdgeOptions): void {
    this.#opts = opts;
  }

  stats(): EdgePullStats[] {
    return [...this.#pulls.values()].map((p) => ({
      key: p.key,
      origin: p.origin,
      startedAt: p.startedAt,
      frames: p.frames,
    }));
  }

  /**
   * The hub's hook for a player of a stream that is not here: starts (or joins) a pull and returns
   * how long the player may wait for it; undefined when this server has no origin.
   */
  missing(req: AdmissionRequest): number | undefined {
    if (req.role !== "player") return undefined;
    const origins = this.#opts.originsFor?.(req) ?? this.#opts.origins;
    if (origins.length === 0) return undefined;
    // A pull that came through here already: two servers naming each other as origins.
    if (req.via?.includes(this.#hub.serverId)) {
      this.#log.warn("edge pull refused: a loop through this server", {
        key: `${req.app}/${req.name}`,
        via: req.via.join(","),
      });
      return undefined;
    }
    const key = `${req.app}/${req.name}`;
    if (!this.#pulls.has(key)) {
      const pull: Pull = { key, origin: "", startedAt: Date.now(), frames: 0, stopped: false };
      this.#pulls.set(key, pull);
      this.#run(pull, req, origins).finally(() => {
        if (this.#pulls.get(key) === pull) this.#pulls.delete(key);
        this.#idleSince.delete(key);
      });
    }
    return this.#opts.waitMs;
  }

  close(): Promise<void> {
    clearInterval(this.#timer);
    for (const p of this.#pulls.values()) this.#stop(p, "server stopping");
    this.#pulls.clear();
    return Promise.resolve();
  }

  async #run(pull: Pull, req: AdmissionRequest, origins: string[]): Promise<void> {
    for (const origin of origins) {
      if (pull.stopped) return;
      pull.origin = origin;
      const url = originUrl(origin, req.app, req.name, req.query);
      // What the log shows: the player's query (its token) stays out of it.
      const shown = originUrl(origin, req.app, req.name);
      if (url.startsWith("srt://")) {
        if (await this.#runSrt(pull, req, url, shown)) return;
        continue;
      }
      let client: RtmpClient;
      try {
        client = await RtmpClient.connect(url, {
          timeoutMs: this.#opts.timeoutMs,
          // The pull travels the forward chain too: an origin that would pull it back from us refuses.
          connectProperties: {
            ...this.#opts.connectProperties,
            [VIA_PROPERTY]: viaValue([...(req.via ?? []), this.#hub.serverId]),
          },
          log: this.#log,
        });
      } catch (err) {
        this.#log.warn("edge pull failed; next origin", { key: pull.key, origin: shown, error: err });
        continue;
      }
      pull.client = client;
      if (pull.stopped) return client.close();
      try {
        await client.play();
      } catch (err) {
        client.close();
        this.#log.warn("edge pull failed; next origin", { key: pull.key, origin: shown, error: err });
        continue;
      }
      let reason = "origin ended the stream";
      let relayed = false;
      try {
        relayed = await this.#relay(pull, client, req);
      } catch (err) {
        reason = `origin failed: ${(err as Error)?.message ?? err}`;
        relayed = pull.frames > 0;
      }
      client.close();
      if (!relayed && !pull.stopped) {
        this.#log.warn("edge pull: the origin sent nothing; next origin", { key: pull.key, origin: shown });
        continue;
      }
      pull.stream?.end(pull.stopped ? "edge idle" : reason);
      this.#log.info("edge pull stop", {
        key: pull.key,
        origin: shown,
        reason: pull.stopped ? "no player" : reason,
        frames: pull.frames,
      });
      return;
    }
    this.#log.warn("edge pull: no origin has the stream", {
      key: pull.key,
      origins: origins.join(","),
    });
  }

  /** Relays the origin's frames; false when none came within the timeout (the origin lacks it). */
  async #relay(pull: Pull, client: RtmpClient, req: AdmissionRequest): Promise<boolean> {
    const known = new Set<Track>();
    const frames = client.frames()[Symbol.asyncIterator]();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const first = await Promise.race([
      frames.next(),
      new Promise<"late">((r) => timer = setTimeout(() => r("late"), this.#opts.timeoutMs)),
    ]).finally(() => clearTimeout(timer));
    if (first === "late" || first.done) return false;
    this.#log.info("edge pull start", { key: pull.key, origin: pull.origin });
    // Published here at the first frame: players waiting for it are resolved by the hub.
    pull.stream = await this.#hub.publish({
      role: "publisher",
      protocol: this.#opts.fromFor?.(req) ?? "rtmp",
      app: req.app,
      name: req.name,
      vhost: req.vhost,
      query: "",
      remote: `edge:${pull.origin}`,
      via: [],
      relay: this.#opts.relay,
      internal: true,
    });
    for (let r: IteratorResult<Frame> = first; !r.done; r = await frames.next()) {
      if (pull.stopped) return true;
      const frame = r.value;
      if (!known.has(frame.track)) {
        known.add(frame.track);
        pull.stream.setTrack(frame.track);
      }
      pull.stream.write(frame);
      pull.frames++;
    }
    return true;
  }

  /**
   * An SRT origin: it refuses a stream it does not have in the handshake (1404), so the stream is
   * published here first and the source opened into it; false (next origin) when the origin refuses.
   */
  async #runSrt(pull: Pull, req: AdmissionRequest, url: string, shown: string): Promise<boolean> {
    const stream = await this.#hub.publish({
      role: "publisher",
      protocol: "srt",
      app: req.app,
      name: req.name,
      vhost: req.vhost,
      query: "",
      remote: `edge:${pull.origin}`,
      via: [],
      relay: this.#opts.relay,
      internal: true,
    });
    let source: Source;
    try {
      source = await openSource(url, stream, { log: this.#log, timeoutMs: this.#opts.timeoutMs });
    } catch (err) {
      stream.end("edge pull failed");
      this.#log.warn("edge pull failed; next origin", { key: pull.key, origin: shown, error: err });
      return false;
    }
    pull.stream = stream;
    pull.close = (why) => source.close(why);
    this.#log.info("edge pull start", { key: pull.key, origin: shown });
    stream.ended.then((why) => source.close(why));
    const reason = await source.closed;
    stream.end(pull.stopped ? "edge idle" : reason);
    this.#log.info("edge pull stop", {
      key: pull.key,
      origin: shown,
      reason: pull.stopped ? "no player" : reason,
    });
    return true;
  }

  #stop(pull: Pull, why: string): void {
    if (pull.stopped) return;
    pull.stopped = true;
    pull.client?.close();
    pull.close?.(why);
    pull.stream?.end(why);
  }

  /** A pull whose stream has had no player for idleMs stops. */
  #checkIdle(): void {
    const now = Date.now();
    for (const p of this.#pulls.values()) {
      if (!p.stream) continue;
      let players = 0;
      for (const n of p.stream.players.values()) players += n;
      if (players > 0) {
        this.#idleSince.delete(p.key);
        continue;
      }
      const since = this.#idleSince.get(p.key) ?? now;
      this.#idleSince.set(p.key, since);
      if (now - since >= this.#opts.idleMs) this.#stop(p, "edge idle");
    }
  }
}
