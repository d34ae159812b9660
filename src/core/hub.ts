import { SessionRegistry } from "./sessions.ts";
import { ServerEvents } from "./events.ts";
import { AppNotAllowedError, ForwardLoopError, NotFoundError, StreamBusyError } from "./errors.ts";
import { type GopCacheOptions, RELAY_PLAYER, Stream } from "./stream.ts";
import { checkName } from "./names.ts";

export type Role = "publisher" | "player";

/** Who wants what; passed to the auth callback as it is. */
export interface AdmissionRequest {
  role: Role;
  /** rtmp | rtsp | srt | http | webrtc */
  protocol: string;
  app: string;
  name: string;
  vhost: string;
  /** The client's own query string, without "?", forwarded to the auth callback. */
  query: string;
  /** Path suffix the client used (".flv", ".m3u8") for the auth URL. */
  ext?: string;
  remote?: string;
  /**
   * A forwarded publish: the ids of the servers it came through, first one first (RTMP carries them in
   * the connect command). A chain that names this hub, or is longer than MAX_FORWARD_HOPS, is a loop.
   */
  via?: readonly string[];
  /**
   * A copy of a stream published on a sibling worker of this server (`<workers>`): it is played here
   * but its segmenters, recordings and forwards run on the publisher's worker only.
   */
  relay?: boolean;
  /**
   * Published by this server itself (an edge pull for a player it admitted, a static pull from
   * policy.xml): the auth callback is not asked, as it has no client and no client's query to ask with.
   */
  internal?: boolean;
}

/** The most servers a stream may have come through before it is refused as a forward loop. */
export const MAX_FORWARD_HOPS = 8;

/** Throws AuthError to deny. */
export type Authorizer = (req: AdmissionRequest) => Promise<void>;

export interface HubOptions {
  liveApps: readonly string[];
  recApps: readonly string[];
  authorize?: Authorizer;
  gop: GopCacheOptions;
  /** A publisher that sends nothing for this long is closed; 0 disables. */
  maxIdleMs: number;
  /**
   * Whether a stream published over `from` is offered to a player over `player` (config.xml's
   * `has*` switches): undefined when it is, else why not (the player gets "not found").
   */
  offered?: (from: string, player: string) => string | undefined;
  log?: { info(msg: string, f?: Record<string, unknown>): void };
}

export type StreamListener = (s: Stream) => void;

/**
 * Maps `app/name` to Streams and does admission: app allowlist, safe names, the auth callback and
 * the busy check. Protocols map its typed errors to their own replies.
 */
export class Hub {
  /** Every connection of every protocol (the admin's Sessions page). */
  readonly sessions = new SessionRegistry();
  /** Events of the services beyond publish/unpublish (a recording file closed), for the hooks. */
  readonly events = new ServerEvents();
  /** This server's id in forward chains: random per process, so copied configs never collide. */
  readonly serverId: string = crypto.randomUUID().slice(0, 13);
  #opts: HubOptions;
  #missing = new Set<(req: AdmissionRequest) => number | undefined>();
  #publishChecks = new Set<(req: AdmissionRequest) => void>();
  #streams = new Map<string, Stream>();
  #waiters = new Map<string, Set<(s: Stream | Error) => void>>();
  #onPublish = new Set<StreamListener>();
  #onUnpublish = new Set<StreamListener>();
  #idleTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(opts: HubOptions) {
    this.#opts = opts;
    if (opts.maxIdleMs > 0) {
      this.#idleTimer = setInterval(() => this.#checkIdle(), Math.min(1000, opts.maxIdleMs / 4));
    }
  }

  /** Applies new options (config reload); existing streams keep flowing. */
  configure(opts: Partial<HubOptions>): void {
    const idleChanged = opts.maxIdleMs !== undefined && opts.maxIdleMs !== this.#opts.maxIdleMs;
    this.#opts = { ...this.#opts, ...opts };
    if (idleChanged) {
      clearInterval(this.#idleTimer);
      this.#idleTimer = undefined;
      if (this.#opts.maxIdleMs > 0) {
        this.#idleTimer = setInterval(() => this.#checkIdle(), Math.min(1000, this.#opts.maxIdleMs / 4));
      }
    }
  }

  isRecordApp(app: string): boolean {
    return this.#opts.recApps.includes(app);
  }

  get(key: string): Stream | undefined {
    return this.#streams.get(key);
  }

  streams(): Stream[] {
    return [...this.#streams.values()];
  }

  onPublish(fn: StreamListener): () => void {
    this.#onPublish.add(fn);
    return () => this.#onPublish.delete(fn);
  }

  onUnpublish(fn: StreamListener): () => void {
    this.#onUnpublish.add(fn);
    return () => this.#onUnpublish.delete(fn);
  }

  /** Checks the app and the names; throws AppNotAllowedError or BadNameError. */
  checkApp(app: string, name: string): void {
    const allowed = [...this.#opts.liveApps, ...this.#opts.recApps];
    if (!allowed.includes(app)) throw new AppNotAllowedError(app, allowed);
    checkName(name);
  }

  async #admit(req: AdmissionRequest): Promise<void> {
    this.checkApp(req.app, req.name);
    // Between sibling workers (a relay's publish here, its player there) the callback already ran for
    // the player that asked, on its own worker; an internal publish (edge or static pull) has no
    // client: the players are asked when they come, and the pull itself is the operator's config.
    if (req.relay || req.internal || req.protocol === RELAY_PLAYER) return;
    if (this.#opts.authorize) await this.#opts.authorize(req);
  }

  /**
   * Admits a publisher and creates its Stream. The caller writes frames to it and calls
   * `stream.end()` when the publisher leaves; the hub then forgets it.
   */
  async publish(req: AdmissionRequest): Promise<Stream> {
    const key = `${req.app}/${req.name}`;
    this.#checkOpen(key);
    this.#checkChain(key, req.via ?? []);
    if (this.#streams.has(key)) throw new StreamBusyError(key);
    for (const check of this.#publishChecks) check(req);
    await this.#admit(req);
    // Re-check: another publisher may have won the race while auth was pending.
    if (this.#streams.has(key)) throw new StreamBusyError(key);
    const stream = new Stream({
      app: req.app,
      name: req.name,
      vhost: req.vhost,
      info: { from: req.protocol, remote: req.remote, query: req.query, via: req.via, relay: req.relay },
      gop: this.#opts.gop,
    });
    this.#streams.set(key, stream);
    stream.ended.then((reason) => {
      if (this.#streams.get(key) === stream) this.#streams.delete(key);
      this.#opts.log?.info("publish stop", {
        key,
        from: req.protocol,
        reason,
        bytes: stream.stats.bytesIn,
        frames: stream.stats.framesIn,
        duration_s: Math.round((Date.now() - stream.startedAt) / 100) / 10,
      });
      for (const fn of this.#onUnpublish) fn(stream);
    });
    this.#opts.log?.info("publish start", { key, from: req.protocol, remote: req.remote, vhost: req.vhost });
    for (const fn of this.#onPublish) fn(stream);
    const waiters = this.#waiters.get(key);
    if (waiters) {
      this.#waiters.delete(key);
      for (const w of waiters) w(stream);
    }
    return stream;
  }

  #checkChain(key: string, via: readonly string[]) {
    if (via.includes(this.serverId)) {
      throw new ForwardLoopError(
        key,
        `its chain ${via.join(" > ")} already names this server (${this.serverId})`,
      );
    }
    if (via.length > MAX_FORWARD_HOPS) {
      throw new ForwardLoopError(
        key,
        `it came through ${via.length} servers: must be at most ${MAX_FORWARD_HOPS}`,
      );
    }
  }

  /**
   * Admits a player. If the stream is not live, waits up to `waitMs` for a publisher, then throws
   * NotFoundError (0 = fail at once). `signal` aborts the wait (the player left).
   */
  /**
   * A check every publish passes before admission, e.g. a sibling worker already publishing the key
   * (it throws StreamBusyError). Returns the function that removes it.
   */
  addPublishCheck(fn: (req: AdmissionRequest) => void): () => void {
    this.#publishChecks.add(fn);
    return () => this.#publishChecks.delete(fn);
  }

  /**
   * Who is told about a player of a stream that is not here (on-demand pulls, then the edge puller):
   * the first that returns a wait (how long the player may wait for the stream) takes it; undefined
   * leaves it to the next. Returns the function that removes the handler.
   */
  /** Keys that players are waiting for (not published yet), e.g. to pull one once it appears elsewhere. */
  waitingKeys(): string[] {
    return [...this.#waiters.keys()];
  }

  onMissing(fn: (req: AdmissionRequest) => number | undefined): () => void {
    this.#missing.add(fn);
    return () => this.#missing.delete(fn);
  }

  async play(req: AdmissionRequest, opts: { waitMs?: number; signal?: AbortSignal } = {}): Promise<Stream> {
    const key = `${req.app}/${req.name}`;
    this.#checkOpen(key);
    await this.#admit(req);
    const live = this.#streams.get(key);
    if (live) return this.#admitted(live, req);
    // An edge server starts pulling it from an origin now; the player waits for that pull.
    let pullWait: number | undefined;
    for (const fn of this.#missing) if ((pullWait = fn(req)) !== undefined) break;
    const waitMs = Math.max(opts.waitMs ?? 0, pullWait ?? 0);
    if (waitMs <= 0) throw new NotFoundError(`stream ${key} is not being published`);
    const arrived = await new Promise<Stream>((resolve, reject) => {
      let set = this.#waiters.get(key);
      if (!set) this.#waiters.set(key, set = new Set());
      const done = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        set!.delete(waiter);
        if (set!.size === 0 && this.#waiters.get(key) === set) this.#waiters.delete(key);
      };
      const waiter = (s: Stream | Error) => {
        done();
        if (s instanceof Error) reject(s);
        else resolve(s);
      };
      const onAbort = () => {
        done();
        reject(new NotFoundError(`stream ${key}: player left while waiting`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new NotFoundError(`stream ${key} was not published within ${waitMs} ms`));
      }, waitMs);
      set.add(waiter);
      opts.signal?.addEventListener("abort", onAbort);
    });
    return this.#admitted(arrived, req);
  }

  /**
   * The stream, when its publisher's protocol is offered over the player's (else NotFoundError); a
   * player on a connection of its own is announced on the events bus.
   */
  #admitted(s: Stream, req: AdmissionRequest): Stream {
    if (req.protocol === RELAY_PLAYER) return s; // a sibling worker, which checks its own players
    const why = this.#opts.offered?.(s.info.from, req.protocol);
    if (why) throw new NotFoundError(`stream ${s.key} is not offered over ${req.protocol}: ${why}`);
    if (req.ext !== ".m3u8" && req.ext !== ".mpd") {
      this.events.emit({
        type: "play",
        key: s.key,
        protocol: req.protocol,
        ext: req.ext ?? "",
        remote: req.remote ?? "",
        query: req.query,
      });
    }
    return s;
  }

  #checkIdle() {
    const now = Date.now();
    const max = this.#opts.maxIdleMs;
    for (const s of this.#streams.values()) {
      const last = s.stats.lastFrameAt || s.startedAt;
      if (now - last > max) s.end(`idle for more than ${max / 1000} s`);
    }
  }

  /** After close (the server is stopping), nobody new is admitted. */
  #checkOpen(key: string) {
    if (this.#closed) throw new NotFoundError(`stream ${key} is not available: the server is stopping`);
  }

  /** Ends every stream, refuses new publishers and players, and stops timers. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#idleTimer);
    for (const s of [...this.#streams.values()]) s.end("server stopping");
    const stopping = new NotFoundError("server stopping");
    for (const set of [...this.#waiters.values()]) for (const w of [...set]) w(stopping);
    this.#waiters.clear();
  }
}
