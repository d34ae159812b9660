/**
 * Static pulls (policy.xml `<pulls>`): streams this server plays from a source (a camera over RTSP,
 * another server over RTMP, SRT or HTTP-FLV) and publishes under a local name, so every output,
 * recording and forward applies to them. An always-on pull starts at once and restarts
 * `reconnectMs` after it fails or ends; an on-demand pull starts when a player asks for the stream
 * and stops `idleMs` after its last player left. One log line per state change.
 */
import type { AdmissionRequest, Hub, Stream } from "../core/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { PolicyPull } from "../config/mod.ts";
import { openSource, redactUrl, type Source } from "./sources.ts";

export interface PullsOptions {
  pulls: PolicyPull[];
  reconnectMs: number;
  /** An on-demand pull with no player for this long stops. */
  idleMs: number;
  /** Connect + start of a source must succeed within this. */
  timeoutMs: number;
}

export type PullState = "idle" | "connecting" | "pulling" | "retrying" | "stopped";

export interface PullStats {
  name: string;
  source: string;
  ondemand: boolean;
  state: PullState;
  since: number;
  restarts: number;
  lastError?: string;
}

class Pull {
  state: PullState = "idle";
  since = Date.now();
  restarts = 0;
  lastError: string | undefined;
  source: Source | undefined;
  stream: Stream | undefined;
  retry: ReturnType<typeof setTimeout> | undefined;
  idleSince: number | undefined;
  stopped = false;
  constructor(readonly rule: PolicyPull) {}
}

export class StaticPulls {
  #hub: Hub;
  #log: Logger;
  #opts: PullsOptions;
  #pulls = new Map<string, Pull>();
  #timer: ReturnType<typeof setInterval>;

  constructor(hub: Hub, log: Logger, opts: PullsOptions) {
    this.#hub = hub;
    this.#log = log.child({ svc: "pull" });
    this.#opts = opts;
    this.#timer = setInterval(() => this.#checkIdle(), 500);
  }

  start(): void {
    this.#reconcile();
  }

  /** A reload: new rules start, removed or changed ones stop, unchanged ones keep pulling. */
  configure(opts: PullsOptions): void {
    this.#opts = opts;
    this.#reconcile();
  }

  stats(): PullStats[] {
    return [...this.#pulls.values()].map((p) => ({
      name: p.rule.name,
      source: redactUrl(p.rule.url),
      ondemand: p.rule.ondemand,
      state: p.state,
      since: p.since,
      restarts: p.restarts,
      lastError: p.lastError,
    }));
  }

  /** The hub's hook: a player of an on-demand pull's stream starts it; returns the wait it may take. */
  missing(req: AdmissionRequest): number | undefined {
    if (req.role !== "player") return undefined;
    const p = this.#pulls.get(`${req.app}/${req.name}`);
    if (!p || !p.rule.ondemand) return undefined;
    if (p.state === "idle" || p.state === "stopped") void this.#run(p);
    return this.#opts.timeoutMs + 1000;
  }

  close(): void {
    clearInterval(this.#timer);
    for (const p of this.#pulls.values()) this.#stop(p, "server stopping");
    this.#pulls.clear();
  }

  #reconcile(): void {
    const wanted = new Map(this.#opts.pulls.map((r) => [r.name, r]));
    for (const [name, p] of this.#pulls) {
      const w = wanted.get(name);
      if (!w || w.url !== p.rule.url || w.ondemand !== p.rule.ondemand) {
        this.#stop(p, "removed from policy.xml");
        this.#pulls.delete(name);
      }
    }
    for (const r of wanted.values()) {
      if (this.#pulls.has(r.name)) continue;
      const p = new Pull(r);
      this.#pulls.set(r.name, p);
      if (!r.ondemand) void this.#run(p);
    }
  }

  #set(p: Pull, state: PullState, fields: Record<string, unknown> = {}): void {
    if (p.state === state) return;
    p.state = state;
    p.since = Date.now();
    this.#log.info(`pull ${state}`, { stream: p.rule.name, source: redactUrl(p.rule.url), ...fields });
  }

  async #run(p: Pull): Promise<void> {
    if (p.stopped) return;
    clearTimeout(p.retry);
    this.#set(p, "connecting");
    const [app, name] = p.rule.name.split("/");
    let stream: Stream;
    try {
      stream = await this.#hub.publish({
        role: "publisher",
        protocol: "pull",
        app,
        name,
        vhost: "",
        query: "",
        remote: redactUrl(p.rule.url),
        internal: true,
      });
    } catch (err) {
      return this.#failed(p, `the stream cannot be published here: ${(err as Error).message}`);
    }
    p.stream = stream;
    try {
      p.source = await openSource(p.rule.url, stream, { log: this.#log, timeoutMs: this.#opts.timeoutMs });
    } catch (err) {
      stream.end("pull source failed");
      return this.#failed(p, (err as Error)?.message ?? String(err));
    }
    if (p.stopped) {
      p.source.close("stopped");
      stream.end("pull stopped");
      return;
    }
    this.#set(p, "pulling");
    p.idleSince = undefined;
    const source = p.source;
    stream.ended.then((why) => source.close(`stream ended: ${why}`));
    const why = await Promise.race([source.closed, stream.ended.then((w) => `stream ended: ${w}`)]);
    stream.end(`pull source closed: ${why}`);
    p.source = undefined;
    p.stream = undefined;
    if (p.stopped) return;
    if (p.rule.ondemand && p.idleSince === -1) {
      this.#set(p, "idle", { reason: "no player" });
      return;
    }
    this.#failed(p, why);
  }

  #failed(p: Pull, why: string): void {
    p.lastError = why;
    if (p.stopped) return;
    if (p.rule.ondemand) {
      this.#set(p, "idle", { reason: why });
      return;
    }
    p.restarts++;
    this.#set(p, "retrying", { reason: why, retry_s: this.#opts.reconnectMs / 1000 });
    p.retry = setTimeout(() => void this.#run(p), this.#opts.reconnectMs);
  }

  #stop(p: Pull, why: string): void {
    p.stopped = true;
    clearTimeout(p.retry);
    p.source?.close(why);
    p.stream?.end(why);
    this.#set(p, "stopped", { reason: why });
  }

  /** On-demand pulls whose stream has had no player for idleMs stop. */
  #checkIdle(): void {
    const now = Date.now();
    for (const p of this.#pulls.values()) {
      if (!p.rule.ondemand || p.state !== "pulling" || !p.stream) continue;
      let players = 0;
      for (const n of p.stream.players.values()) players += n;
      if (players > 0) {
        p.idleSince = undefined;
        continue;
      }
      p.idleSince ??= now;
      if (now - p.idleSince >= this.#opts.idleMs) {
        p.idleSince = -1; // tells #run the end was ours
        p.source?.close("no player");
      }
    }
  }
}
