/**
 * Composition root: a list of service modules over one hub. Starts and stops them, and applies a new
 * Config live: each module's settings are recomputed, unchanged ones are left alone, changed ones are
 * updated in place (a listener moves only when its address, port or TLS changed), and a module without
 * `update` restarts.
 */
import type { Config, Policy, SectionName } from "./config/mod.ts";
import { diffConfig, emptyPolicy, listeners, resolvePath } from "./config/mod.ts";
import { Hub } from "./core/mod.ts";
import { Metrics, registerHubMetrics } from "./metrics/mod.ts";
import type { ListenerStatus, Readiness, RunningService, ServiceContext, ServiceModule } from "./service.ts";
import { hubOptions } from "./hub_options.ts";
import type { Store } from "./store/mod.ts";
import { rtmpService } from "./protocols/rtmp/service.ts";
import { rtspService } from "./protocols/rtsp/service.ts";
import { srtService } from "./protocols/srt/service.ts";
import { recorderService } from "./record/service.ts";
import { hooksService } from "./hooks/service.ts";
import { clusterService } from "./cluster/service.ts";
import { edgeService } from "./cluster/edge_service.ts";
import { pullsService } from "./cluster/pulls_service.ts";
import { httpService } from "./http/service.ts";
import { type WorkerLink, workersService } from "./workers/mod.ts";
import {
  consoleSink,
  createLogger,
  DailyFileSink,
  type Logger,
  type LogSink,
  MemorySink,
} from "./log/mod.ts";

/**
 * The services, in start order; they stop in reverse. HTTP first, so that its probes answer for the
 * whole life of the process: /api/ready says 503 while the others start and while they stop (its
 * status and URLs read the other services' ports when asked). The hooks next, so that they stop after
 * every service that raises events (the streams' unpublish, the recorder's last files are delivered).
 * The recorder late, so that it stops early and closes its files.
 */
// deno-lint-ignore no-explicit-any
export const SERVICES: readonly ServiceModule<any>[] = [
  httpService,
  hooksService,
  rtmpService,
  rtspService,
  srtService,
  recorderService,
  clusterService,
  pullsService,
  edgeService,
  workersService,
];

export interface ServerOptions {
  config: Config;
  /** Where relative paths (html, vod, rec, logs, data) resolve. */
  root: string;
  configFile: string | null;
  /** policy.xml (forwarding); none = no forwarding. */
  policy?: Policy;
  /** Where policy.xml is read from (the admin's policy editor writes it there). */
  policyFile?: string;
  /** Extra log sinks (tests). Default: stdout/stderr, plus daily files when log.file is on. */
  sinks?: LogSink[];
  /** Reads the config and policy again (files + environment), for the admin API's restart; throws on a bad file. */
  load?: () => { config: Config; policy?: Policy };
  /** This process is one of `<workers>` worker processes: its link to the supervisor and siblings. */
  worker?: WorkerLink;
}

export interface EstuaryServer {
  readonly log: Logger;
  readonly hub: Hub;
  readonly metrics: Metrics;
  readonly config: Config;
  readonly policy: Policy;
  readonly startedAt: Date;
  /** Recent log lines, for /api/logmsg. */
  readonly recentLog: MemorySink;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Applies a new config (and policy.xml, when given; else the running one stays); returns the changed
   * sections. Throws (and changes nothing) on bad TLS files.
   */
  reload(next: Config, policy?: Policy): Promise<SectionName[]>;
  status(): Record<string, ListenerStatus>;
  /** Running, with every enabled listener up (for /api/ready). */
  readiness(): Readiness;
  /** Bound port of a listener ("rtmp", "rtmps", "http", "https", "rtsp", "rtsps", "srt"), 0 if not running. */
  port(name: string): number;
  /** A running service by module name. */
  service(name: string): RunningService | undefined;
}

interface Slot {
  // deno-lint-ignore no-explicit-any
  module: ServiceModule<any>;
  service: RunningService | null;
  /** JSON of the settings it runs with ("null" when off). */
  running: string;
}

function withSuffix(sink: LogSink, suffix: string): LogSink {
  return { write: (line, level) => sink.write(line + suffix, level) };
}

export function createServer(opts: ServerOptions): EstuaryServer {
  let config = opts.config;
  let policy = opts.policy ?? emptyPolicy();
  const recentLog = new MemorySink(2000);
  const sinks: LogSink[] = opts.sinks ?? [consoleSink];
  const fileSink = config.log.file && !opts.sinks
    ? new DailyFileSink(resolvePath(opts.root, config.log.dir))
    : null;
  const all = fileSink ? [...sinks, fileSink, recentLog] : [...sinks, recentLog];
  const log = createLogger({
    level: config.log.level,
    // Workers share stdout and the daily log file: each line ends with the worker that wrote it.
    sinks: opts.worker ? all.map((s) => withSuffix(s, ` worker=${opts.worker!.index}`)) : all,
  });
  const hub = new Hub(hubOptions(config, log));
  const metrics = new Metrics();
  const startedAt = new Date();
  registerHubMetrics(metrics, { hub, log, startedAt });
  const slots: Slot[] = SERVICES.map((module) => ({ module, service: null, running: "null" }));

  const status = (): Record<string, ListenerStatus> => {
    const out: Record<string, ListenerStatus> = {};
    for (const { module, service } of slots) {
      const ports = service?.listeners() ?? {};
      for (const l of module.listens) {
        const port = ports[l.name] ?? 0;
        out[l.name] = { port: port > 0 ? port : 0, run: port > 0, ssl: l.ssl };
      }
    }
    return out;
  };
  const service = (name: string) => slots.find((s) => s.module.name === name)?.service ?? undefined;
  let phase: Readiness["phase"] = "starting";
  let stopped: Promise<void> | undefined;
  const readiness = (): Readiness => {
    const st = status();
    const down = listeners(config).map((l) => l.service).filter((name) => !st[name]?.run);
    return { ready: phase === "running" && down.length === 0, phase, down };
  };
  let store: Store | undefined;
  let opening: Promise<Store> | undefined;
  // The store's module (node:sqlite) loads with the first admin request, not at start.
  const openStore = () =>
    opening ??= (async () => {
      const { Store } = await import("./store/mod.ts");
      const dir = resolvePath(opts.root, "data");
      Deno.mkdirSync(dir, { recursive: true });
      return store = new Store(`${dir}/estuary.db`);
    })().catch((err) => {
      opening = undefined;
      throw err;
    });
  let reload: (next: Config, nextPolicy?: Policy) => Promise<SectionName[]>;
  const ctx: ServiceContext = {
    readiness,
    hub,
    log,
    metrics,
    root: opts.root,
    startedAt,
    status,
    service,
    store: openStore,
    recentLog,
    config: () => config,
    configFile: opts.configFile,
    policyFile: opts.policyFile,
    policy: () => policy,
    worker: opts.worker,
    reloadFromDisk: opts.load
      ? () => {
        const l = opts.load!();
        return reload(l.config, l.policy);
      }
      : undefined,
  };

  async function startSlot(slot: Slot, settings: unknown) {
    slot.running = JSON.stringify(settings);
    if (settings === null) return;
    const svc = slot.module.create(settings, ctx);
    await svc.start();
    slot.service = svc;
    logListening(slot);
  }

  function logListening(slot: Slot) {
    if (slot.module.listens.length === 0 || !slot.service) return;
    const ports = slot.service.listeners();
    const [plain, tls] = slot.module.listens;
    const tlsPort = tls && ports[tls.name] > 0 ? ports[tls.name] : undefined;
    log.info("listening", { service: slot.module.name, port: ports[plain.name], tls_port: tlsPort });
  }

  async function stopSlot(slot: Slot) {
    const svc = slot.service;
    slot.service = null;
    slot.running = "null";
    if (!svc) return;
    try {
      await svc.close();
    } catch (err) {
      log.warn("service close failed", { service: slot.module.name, error: err });
    }
  }

  return {
    log,
    hub,
    metrics,
    get config() {
      return config;
    },
    get policy() {
      return policy;
    },
    startedAt,
    recentLog,
    async start() {
      for (const slot of slots) await startSlot(slot, slot.module.settings(config, opts.root, policy));
      if (phase === "starting") phase = "running";
      log.info("estuary started", { root: opts.root, config: opts.configFile ?? "built-in defaults" });
    },
    stop() {
      // Graceful: the hub admits nobody new and ends every stream, so players get their protocol's
      // end of stream (RTMP StreamEOF + UnpublishNotify, RTSP RTCP BYE, SRT shutdown, the end of an
      // HTTP-FLV body, a WebSocket close for WS-FLV) and recordings write their last segment and
      // close their playlists. Then the services close in reverse order (the recorder first, waiting
      // for its files; HTTP last, so /api/ready says "stopping" until the end).
      stopped ??= (async () => {
        phase = "stopping";
        hub.close();
        for (const slot of [...slots].reverse()) await stopSlot(slot);
        store?.close();
        store = undefined;
        opening = undefined;
        fileSink?.close();
      })();
      return stopped;
    },
    reload: reload = async (next: Config, nextPolicy?: Policy) => {
      // Every module's settings first: one that throws (an unreadable certificate) refuses it all.
      const newPolicy = nextPolicy ?? policy;
      const wanted = slots.map((slot) => slot.module.settings(next, opts.root, newPolicy));
      const changed = [...diffConfig(config, next)];
      const policyChanged = JSON.stringify(newPolicy) !== JSON.stringify(policy);
      config = next;
      policy = newPolicy;
      hub.configure(hubOptions(config, log));
      const updated: string[] = [];
      const restarted: string[] = [];
      const failed: string[] = [];
      for (const [i, slot] of slots.entries()) {
        const settings = wanted[i];
        const json = JSON.stringify(settings);
        if (json === slot.running) continue;
        const svc = slot.service;
        try {
          if (svc?.update && settings !== null) {
            await svc.update(settings);
            slot.running = json;
            updated.push(slot.module.name);
            logListening(slot);
            continue;
          }
          await stopSlot(slot);
          await startSlot(slot, settings);
          restarted.push(slot.module.name);
        } catch (err) {
          // E.g. the new port is in use: this service keeps (or lacks) what it had; the others go on.
          failed.push(slot.module.name);
          log.error("reload of a service failed", { service: slot.module.name, error: err });
        }
      }
      log.info("config reloaded", {
        changed: [...changed, ...policyChanged ? ["policy"] : []].join(",") || "nothing",
        updated: updated.join(",") || "none",
        restarted: restarted.join(",") || "none",
        failed: failed.join(",") || undefined,
      });
      return changed;
    },
    status,
    readiness,
    port(name: string) {
      return status()[name]?.port ?? 0;
    },
    service,
  };
}
