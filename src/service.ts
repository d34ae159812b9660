/**
 * The service contract. Every running thing (a protocol's listeners, the HTTP front, the recorder)
 * is a ServiceModule: `settings()` is the ONLY mapping from the config to its options, `create()`
 * builds it, and `update()` applies a reload in place. The composition root (server.ts) is a list of
 * these; nothing else reads the config for a service.
 */
import type { Config, Policy, SectionName } from "./config/mod.ts";
import type { MemorySink } from "./log/mod.ts";
import type { Store } from "./store/mod.ts";
import type { Hub } from "./core/mod.ts";
import type { Logger } from "./log/mod.ts";
import type { Collector, Metrics } from "./metrics/mod.ts";
import type { WorkerLink } from "./workers/mod.ts";

/** One listener in /api/status (smart_rtmpd's shape). */
export interface ListenerStatus {
  port: number;
  run: boolean;
  ssl: boolean;
}

/** For orchestrators (`/api/ready`): ready when running and every enabled listener is up. */
export interface Readiness {
  ready: boolean;
  phase: "starting" | "running" | "stopping";
  /** Enabled listeners that are not listening (e.g. "rtmp" while starting, or after a failed move). */
  down: string[];
}

/** What every service shares. */
export interface ServiceContext {
  readonly hub: Hub;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Where relative paths (html, vod, rec, logs, data) resolve. */
  readonly root: string;
  readonly startedAt: Date;
  /** Every listener of every service, keyed by status name (rtmp, rtmps, http, https, rtsp, rtsps, srt). */
  status(): Record<string, ListenerStatus>;
  /** Another running service, by module name (e.g. HTTP shows SRT's per-session stats). */
  service(name: string): RunningService | undefined;
  /** The server's database (data/estuary.db), opened (and its module loaded) on first use; absent in unit tests. */
  store?(): Store | Promise<Store>;
  /** Recent log lines (the admin's log tail). */
  readonly recentLog?: MemorySink;
  /** The config in force, and the file it came from (null: built-in defaults). */
  config?(): Config;
  readonly configFile?: string | null;
  /** policy.xml: where it is read from, and what is in force. */
  readonly policyFile?: string;
  policy?(): Policy;
  /** Reads the config file again and applies it in place; absent without a config file. */
  reloadFromDisk?(): Promise<SectionName[]>;
  /** The server's readiness (absent in unit tests that build a context by hand). */
  readiness?(): Readiness;
  /** This process's link to its sibling workers (`<workers>` > 1); absent in a single process. */
  readonly worker?: WorkerLink;
}

/** A service built from its settings. */
export interface RunningService<S = unknown> {
  start(): Promise<void>;
  /** Stops listening and ends its sessions. */
  close(): Promise<void>;
  /**
   * Applies changed settings in place: batch windows, waits, limits and the like reach running
   * sessions; a listener is rebound only when its address, port or TLS material changed, and the
   * sessions accepted on the old one keep running. Without `update`, a change restarts the service.
   */
  update?(settings: S): Promise<void>;
  /** Bound ports by listener status name (0 = not listening). Empty for a service without listeners. */
  listeners(): Record<string, number>;
  /** Typed counters for /api and the metrics (each service defines its own shape). */
  stats(): object;
  /**
   * Operations the admin API may ask of it by name, with their arguments (the recorder's `start` and
   * `stop` of one stream's recording); each throws the core's typed errors on refusal.
   */
  commands?: Record<string, (args: Record<string, string>) => Promise<unknown>>;
}

export interface ServiceModule<S = unknown> {
  readonly name: string;
  /** Its listeners' status names and whether each is TLS; listed in /api/status even when off. */
  readonly listens: readonly { readonly name: string; readonly ssl: boolean }[];
  /**
   * Everything the service is built from, as plain data (JSON-comparable), or null when it is off.
   * A reload compares these: unchanged settings leave the service alone. May throw ConfigError
   * (e.g. an unreadable certificate), which refuses the whole reload. `policy` is policy.xml (only
   * the cluster service reads it).
   */
  settings(config: Config, root: string, policy?: Policy): S | null;
  create(settings: S, ctx: ServiceContext): RunningService<S>;
}

/** Typed helper for module definitions (keeps `S` inferred across the three members). */
export function defineService<S>(m: ServiceModule<S>): ServiceModule<S> {
  return m;
}

/**
 * `svc` with `collect` registered in the metrics while it runs: registered after a successful start,
 * removed before close, so a stopped service's families leave with it.
 */
export function withMetrics<S>(
  ctx: ServiceContext,
  owner: string,
  collect: Collector,
  svc: RunningService<S>,
): RunningService<S> {
  let unregister = () => {};
  return {
    ...svc,
    async start() {
      await svc.start();
      unregister = ctx.metrics.register(owner, collect);
    },
    async close() {
      unregister();
      await svc.close();
    },
  };
}
