/**
 * Maps config.xml onto each service. A slot's `settings()` is everything its service is built from
 * (plain data); a reload restarts only the services whose settings changed.
 */
import type { Config } from "./config/mod.ts";
import { tlsEnabled } from "./config/mod.ts";
import type { Hub } from "./core/mod.ts";
import type { Logger } from "./log/mod.ts";
import { createHttpAuthorizer } from "./auth/mod.ts";
import { createRtmpServer, type RtmpServerOptions } from "./protocols/rtmp/server.ts";
import { createRtspServer, type RtspServerOptions } from "./protocols/rtsp/mod.ts";
import { createSrtServer, type SrtServerOptions } from "./protocols/srt/mod.ts";
import { createHttpApp, createHttpServer, FEATURES, publicUrlsFrom } from "./http/mod.ts";
import type { HttpDeps, HttpOptions } from "./http/deps.ts";
import { defaultHttpOptions } from "./http/deps.ts";
import { defaultHlsOptions, type HlsOptions, hlsRoutes } from "./http/hls.ts";
import { type DashOptions, dashRoutes, defaultDashOptions } from "./http/dash.ts";
import { recRoutes } from "./http/rec.ts";
import { vodRoutes } from "./http/vod.ts";
import { createRecorder, type RecorderOptions } from "./record/mod.ts";
import type { EstuaryServer, Service, ServiceSlot } from "./server.ts";
import { resolvePath } from "./paths.ts";

interface WireContext {
  slots: ServiceSlot[];
  hub: Hub;
  log: Logger;
  root: string;
  config: () => Config;
  server: EstuaryServer;
}

type Tls = { cert: string; key: string; port: number } | undefined;

/** Reads the configured certificate and key, or undefined when TLS is off for `section`. */
function tlsFor(ctx: WireContext, section: "rtmp" | "rtsp" | "http", port: number): Tls {
  const c = ctx.config();
  if (!tlsEnabled(c, section)) return undefined;
  return {
    cert: Deno.readTextFileSync(resolvePath(ctx.root, c.ssl.servercert)),
    key: Deno.readTextFileSync(resolvePath(ctx.root, c.ssl.serverkey)),
    port,
  };
}

export function httpOptions(c: Config, root: string): HttpOptions {
  return defaultHttpOptions({
    hasflv: c.rtmp.hasflv,
    playWaitMs: c.rtmp.notfound === "wait" ? Math.min(c.rtmp.playwait * 1000, 10_000) : 0,
    htmlRoot: resolvePath(root, "html"),
    denyFiles: c.http.denyFiles,
    denyPaths: c.http.denyPaths,
    flvBatchMs: c.rtmp.batchms,
    flvMaxBatchMs: c.rtmp.maxbatchms,
    flvMaxQueueBytes: c.http.flvblock * 1024,
    fastStart: c.rtmp.gopenable,
    hevcCodecId: c.rtmp.codech265,
  });
}

/** A typed slot: `settings` is plain data, `make` builds the service from it. */
function slot<S>(def: {
  name: string;
  tlsName?: string;
  internal?: boolean;
  settings(): S | null;
  make(s: S): Service;
}): ServiceSlot {
  return { ...def, make: (s) => def.make(s as S), service: null };
}

export function wireServices(ctx: WireContext): void {
  const { slots, hub, log } = ctx;
  const c = ctx.config;

  slots.push(slot<Omit<RtmpServerOptions, "hub" | "log">>({
    name: "rtmp",
    tlsName: "rtmps",
    settings() {
      const r = c().rtmp;
      if (!r.enable) return null;
      return {
        hostname: r.ip || "0.0.0.0",
        port: r.port,
        tls: tlsFor(ctx, "rtmp", r.sport),
        chunkSize: Math.min(r.chunksize, 65536),
        hevcCodecId: r.codech265,
        notFound: r.notfound,
        playWaitMs: r.playwait * 1000,
        fmt3ExtTime: r.hdr3exttime,
        fanout: { batchMs: r.batchms, maxBatchMs: r.maxbatchms, fastStart: r.gopenable },
      };
    },
    make: (s) => createRtmpServer({ hub, log, ...s }),
  }));

  slots.push(slot<Omit<RtspServerOptions, "hub" | "log">>({
    name: "rtsp",
    tlsName: "rtsps",
    settings() {
      const cfg = c();
      const r = cfg.rtsp;
      if (!r.enable) return null;
      const natHost = (cfg.nat.rtp || cfg.nat.rtsp).replace(/:\d+$/, "");
      return {
        hostname: r.ip || "0.0.0.0",
        port: r.port,
        tls: tlsFor(ctx, "rtsp", r.sport),
        rtpPortRange: { min: cfg.rtp.min, max: cfg.rtp.max },
        rtpPayloadTypes: { h264: cfg.rtmp.rtp.h264, h265: cfg.rtmp.rtp.h265, aac: cfg.rtmp.rtp.aac },
        mtu: cfg.rtmp.rtp.size,
        natHost: natHost || undefined,
        maxIdleMs: r.maxidle * 1000,
        playWaitMs: cfg.rtmp.notfound === "wait" ? Math.min(cfg.rtmp.playwait * 1000, 5000) : 0,
        fanout: { batchMs: cfg.rtmp.batchms, maxBatchMs: cfg.rtmp.maxbatchms, fastStart: cfg.rtmp.gopenable },
      };
    },
    make: (s) => createRtspServer({ hub, log, ...s }),
  }));

  slots.push(slot<Omit<SrtServerOptions, "hub" | "log">>({
    name: "srt",
    settings() {
      const cfg = c();
      const s = cfg.srt;
      if (!s.enable) return null;
      return {
        hostname: s.ip || "0.0.0.0",
        port: s.port,
        latencyMs: s.latency,
        passphrase: s.passphrase || undefined,
        pbkeylen: s.pbkeylen,
        maxIdleMs: s.maxidle * 1000,
        fanout: { batchMs: cfg.rtmp.batchms, maxBatchMs: cfg.rtmp.maxbatchms, fastStart: cfg.rtmp.gopenable },
      };
    },
    make: (s) => createSrtServer({ hub, log, ...s }),
  }));

  slots.push(slot<Omit<RecorderOptions, "hub" | "log">>({
    name: "recorder",
    internal: true,
    settings() {
      const h = c().http;
      return {
        root: resolvePath(ctx.root, "rec"),
        recmode: h.recmode,
        recdurationMin: h.recduration,
        segmentMs: h.hlsduration * 1000,
      };
    },
    make: (s) => Object.assign(createRecorder({ hub, log, ...s }), { port: 0 }),
  }));

  const endpoints = () => {
    const st = ctx.server.status();
    const cfg = c();
    const ep = (name: string, nat: string) => st[name]?.run ? { port: st[name].port, nat } : undefined;
    const http = ep("http", cfg.nat.http);
    return {
      rtmp: ep("rtmp", cfg.nat.rtmp),
      http: http && { ...http, flv: cfg.rtmp.hasflv, hls: cfg.rtmp.hashls, dash: cfg.rtmp.hasdash },
      rtsp: ep("rtsp", cfg.nat.rtsp),
      srt: ep("srt", cfg.nat.srt),
    };
  };

  /** SRT keeps per-session transport stats (RTT, loss, retransmits); /api/live shows a stream's. */
  const sessionStats = (stream: { key: string }): Record<string, unknown[]> => {
    const srt = slots.find((x) => x.name === "srt")?.service?.stats();
    const list = (srt?.list ?? []) as { key: string }[];
    const mine = list.filter((e) => e.key === stream.key);
    return mine.length ? { srt: mine } : {};
  };

  interface HttpSettings {
    hostname: string;
    port: number;
    tls: Tls;
    options: HttpOptions;
    hls: HlsOptions;
    dash: DashOptions;
    recRoot: string;
    vodRoot: string;
    maxBody: number;
    auth: { url: string; router: string; timeoutMs: number };
  }
  slots.push(slot<HttpSettings>({
    name: "http",
    tlsName: "https",
    settings() {
      const cfg = c();
      const h = cfg.http;
      if (!h.enable) return null;
      return {
        hostname: h.ip || "0.0.0.0",
        port: h.port,
        tls: tlsFor(ctx, "http", h.sport),
        options: httpOptions(cfg, ctx.root),
        hls: defaultHlsOptions({
          enabled: cfg.rtmp.hashls,
          targetMs: h.hlsduration * 1000,
          windowSize: h.hlssegment,
          cacheSize: h.hlslivecache,
          fmp4: h.hlsfmp4,
          llhls: h.llhls,
        }),
        dash: defaultDashOptions({
          enabled: cfg.rtmp.hasdash,
          windowS: h.dashduration,
          maxSegments: h.dashlivecache,
        }),
        recRoot: resolvePath(ctx.root, "rec"),
        vodRoot: resolvePath(ctx.root, "vod"),
        maxBody: h.httpmaxbody,
        auth: { url: cfg.authurl.host, router: cfg.authurl.router, timeoutMs: cfg.authurl.timeout },
      };
    },
    make(s) {
      const deps: HttpDeps = {
        hub,
        log,
        options: s.options,
        status: () => ({ services: ctx.server.status(), startTime: ctx.server.startedAt }),
        publicUrls: publicUrlsFrom(endpoints),
        sessionStats,
        authorizeHttp: createHttpAuthorizer({ ...s.auth, log }),
      };
      const app = createHttpApp(deps, [
        ...FEATURES,
        (d) => hlsRoutes(d, s.hls),
        (d) => dashRoutes(d, s.dash),
        (d) => recRoutes(d, { root: s.recRoot }),
        (d) => vodRoutes(d, { root: s.vodRoot, maxBody: s.maxBody }),
      ]);
      return createHttpServer({ app, log, hostname: s.hostname, port: s.port, tls: s.tls });
    },
  }));
}
