/**
 * Composition root: builds the hub, the services and the HTTP app from a Config, starts and stops
 * them, and applies a new Config live (only services whose section changed restart).
 */
import type { Config, SectionName } from "./config/mod.ts";
import { diffConfig } from "./config/mod.ts";
import { Hub, type HubOptions } from "./core/mod.ts";
import { wireServices } from "./services.ts";
import { createAuthorizer } from "./auth/mod.ts";
import {
  consoleSink,
  createLogger,
  DailyFileSink,
  type Logger,
  type LogSink,
  MemorySink,
} from "./log/mod.ts";

/** What every TCP/UDP/HTTP service looks like to the composition root. */
export interface Service {
  start(): Promise<void>;
  close(): Promise<void>;
  /** The bound port (the chosen one when configured as 0). */
  readonly port: number;
  /** The bound TLS port of the same service (RTMPS, HTTPS, RTSPS), 0 or -1 when off. */
  readonly tlsPort?: number;
  stats(): Record<string, unknown>;
}

/** One entry of /api/status. */
export interface ServiceStatus {
  port: number;
  run: boolean;
  ssl: boolean;
}

export interface ServiceSlot {
  name: string;
  /** The name of its TLS listener in /api/status (rtmps, https, rtsps), if it has one. */
  tlsName?: string;
  /** Not a listener (the recorder): left out of /api/status. */
  internal?: boolean;
  /**
   * Everything the service is built from, as plain data (null = disabled). A reload restarts the
   * service only when this changes, so streams on untouched services keep flowing.
   */
  settings(): unknown;
  make(settings: unknown): Service;
  service: Service | null;
  running?: string;
}

export interface ServerOptions {
  config: Config;
  /** Where relative paths (html, vod, rec, logs, data) resolve. */
  root: string;
  configFile: string | null;
  /** Extra log sinks (tests). Default: stdout/stderr, plus daily files when log.file is on. */
  sinks?: LogSink[];
}

export interface EstuaryServer {
  readonly log: Logger;
  readonly hub: Hub;
  readonly config: Config;
  readonly startedAt: Date;
  /** Recent log lines, for /api/logmsg. */
  readonly recentLog: MemorySink;
  start(): Promise<void>;
  stop(): Promise<void>;
  reload(next: Config): Promise<SectionName[]>;
  status(): Record<string, ServiceStatus>;
  /** Bound port of a service ("rtmp", "rtmps", "http", "https", "rtsp", "rtsps", "srt"), 0 if not running. */
  port(name: string): number;
}

export { resolvePath } from "./paths.ts";
import { resolvePath } from "./paths.ts";

export function hubOptions(config: Config, log: Logger): HubOptions {
  return {
    liveApps: config.rtmp.liveApps,
    recApps: config.rtmp.recApps,
    gop: { enabled: config.rtmp.gopenable, maxFrames: config.rtmp.gopquesize, maxBytes: 64 << 20 },
    maxIdleMs: config.rtmp.maxidle * 1000,
    log,
    // The auth callback sits in admission, so every protocol gets it.
    authorize: createAuthorizer({
      url: config.authurl.host,
      router: config.authurl.router,
      timeoutMs: config.authurl.timeout,
      log,
    }),
  };
}

export function createServer(opts: ServerOptions): EstuaryServer {
  let config = opts.config;
  const recentLog = new MemorySink(2000);
  const sinks: LogSink[] = opts.sinks ?? [consoleSink];
  const fileSink = config.log.file && !opts.sinks
    ? new DailyFileSink(resolvePath(opts.root, config.log.dir))
    : null;
  const log = createLogger({
    level: config.log.level,
    sinks: fileSink ? [...sinks, fileSink, recentLog] : [...sinks, recentLog],
  });
  const hub = new Hub(hubOptions(config, log));
  const startedAt = new Date();
  const slots: ServiceSlot[] = [];
  const server: EstuaryServer = {
    log,
    hub,
    get config() {
      return config;
    },
    startedAt,
    recentLog,
    async start() {
      for (const slot of slots) await startSlot(slot);
      log.info("estuary started", { root: opts.root, config: opts.configFile ?? "built-in defaults" });
    },
    async stop() {
      hub.close();
      for (const slot of [...slots].reverse()) await stopSlot(slot);
      fileSink?.close();
    },
    async reload(next: Config) {
      const changed = [...diffConfig(config, next)];
      const prev = config;
      config = next;
      let wanted: string[];
      try {
        wanted = slots.map((slot) => JSON.stringify(slot.settings()));
      } catch (err) {
        config = prev; // e.g. an unreadable certificate: refuse the whole reload
        throw err;
      }
      hub.configure(hubOptions(config, log));
      const restarted: string[] = [];
      for (const [i, slot] of slots.entries()) {
        if (wanted[i] !== slot.running) {
          await stopSlot(slot);
          await startSlot(slot);
          restarted.push(slot.name);
        }
      }
      log.info("config reloaded", {
        changed: changed.join(",") || "nothing",
        restarted: restarted.join(",") || "none",
      });
      return changed;
    },
    status() {
      const out: Record<string, ServiceStatus> = {};
      for (const s of slots) {
        if (s.internal) continue;
        const svc = s.service;
        out[s.name] = { port: svc?.port ?? 0, run: svc !== null, ssl: false };
        if (s.tlsName) {
          const tp = svc?.tlsPort ?? 0;
          out[s.tlsName] = { port: tp > 0 ? tp : 0, run: tp > 0, ssl: true };
        }
      }
      return out;
    },
    port(name: string) {
      return this.status()[name]?.port ?? 0;
    },
  };

  async function startSlot(slot: ServiceSlot) {
    const settings = slot.settings();
    slot.running = JSON.stringify(settings);
    if (settings === null) return;
    const svc = slot.make(settings);
    await svc.start();
    slot.service = svc;
    if (!slot.internal) {
      const tls = svc.tlsPort && svc.tlsPort > 0 ? svc.tlsPort : undefined;
      log.info("listening", { service: slot.name, port: svc.port, tls_port: tls });
    }
  }

  async function stopSlot(slot: ServiceSlot) {
    const svc = slot.service;
    slot.service = null;
    if (svc) {
      try {
        await svc.close();
      } catch (err) {
        log.warn("service close failed", { service: slot.name, error: err });
      }
    }
  }

  wireServices({ slots, hub, log, root: opts.root, config: () => config, server });
  return server;
}
