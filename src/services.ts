/**
 * Maps config.xml onto each service's options. Every `make()` reads the current config, so a
 * reload restarts a service with its new settings.
 */
import type { Config } from "./config/mod.ts";
import { tlsEnabled } from "./config/mod.ts";
import type { Hub } from "./core/mod.ts";
import type { Logger } from "./log/mod.ts";
import { createAuthorizer, createHttpAuthorizer } from "./auth/mod.ts";
import { createRtmpServer } from "./protocols/rtmp/server.ts";
import { createSrtServer } from "./protocols/srt/mod.ts";
import { createHttpApp, createHttpServer, FEATURES, publicUrlsFrom } from "./http/mod.ts";
import type { HttpDeps, HttpOptions } from "./http/deps.ts";
import { defaultHttpOptions } from "./http/deps.ts";
import { defaultHlsOptions, hlsRoutes } from "./http/hls.ts";
import { dashRoutes, defaultDashOptions } from "./http/dash.ts";
import { recRoutes } from "./http/rec.ts";
import { vodRoutes } from "./http/vod.ts";
import { createRecorder } from "./record/mod.ts";
import type { EstuaryServer, ServiceSlot } from "./server.ts";
import { resolvePath } from "./paths.ts";

interface WireContext {
  slots: ServiceSlot[];
  hub: Hub;
  log: Logger;
  root: string;
  config: () => Config;
  server: EstuaryServer;
}

/** Reads the configured certificate and key, or returns undefined when TLS is off for `section`. */
function tlsFor(ctx: WireContext, section: "rtmp" | "rtsp" | "http", port: number) {
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
    flvMaxQueueBytes: c.http.flvblock * 1024,
    fastStart: c.rtmp.gopenable,
    hevcCodecId: c.rtmp.codech265,
  });
}

export function wireServices(ctx: WireContext): void {
  const { slots, hub, log } = ctx;
  const c = ctx.config;

  // The auth callback sits in the hub's admission step: every protocol gets it for free.
  const applyAuth = () => {
    const a = c().authurl;
    hub.configure({
      authorize: createAuthorizer({ url: a.host, router: a.router, timeoutMs: a.timeout, log }) ?? undefined,
    });
  };
  applyAuth();

  slots.push({
    name: "rtmp",
    tlsName: "rtmps",
    sections: ["rtmp", "ssl"],
    service: null,
    make() {
      const r = c().rtmp;
      if (!r.enable) return null;
      return createRtmpServer({
        hub,
        log,
        hostname: r.ip || "0.0.0.0",
        port: r.port,
        tls: tlsFor(ctx, "rtmp", r.sport),
        chunkSize: Math.min(r.chunksize, 65536),
        hevcCodecId: r.codech265,
        notFound: r.notfound,
        playWaitMs: r.playwait * 1000,
        fmt3ExtTime: r.hdr3exttime,
        fanout: { batchMs: r.batchms, fastStart: r.gopenable },
      });
    },
  });

  slots.push({
    name: "srt",
    sections: ["srt"],
    service: null,
    make() {
      const s = c().srt;
      if (!s.enable) return null;
      return createSrtServer({
        hub,
        log,
        hostname: s.ip || "0.0.0.0",
        port: s.port,
        latencyMs: s.latency,
        passphrase: s.passphrase || undefined,
        pbkeylen: s.pbkeylen,
        maxIdleMs: s.maxidle * 1000,
      });
    },
  });

  slots.push({
    name: "recorder",
    internal: true,
    sections: ["http", "rtmp"],
    service: null,
    make() {
      const h = c().http;
      const rec = createRecorder({
        hub,
        log,
        root: resolvePath(ctx.root, "rec"),
        recmode: h.recmode,
        recdurationMin: h.recduration,
        segmentMs: h.hlsduration * 1000,
      });
      return Object.assign(rec, { port: 0 });
    },
  });

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

  slots.push({
    name: "http",
    tlsName: "https",
    sections: ["http", "rtmp", "ssl", "nat", "authurl"],
    service: null,
    make() {
      const cfg = c();
      const h = cfg.http;
      if (!h.enable) return null;
      const deps: HttpDeps = {
        hub,
        log,
        options: httpOptions(cfg, ctx.root),
        status: () => ({ services: ctx.server.status(), startTime: ctx.server.startedAt }),
        publicUrls: publicUrlsFrom(endpoints),
        authorizeHttp: createHttpAuthorizer({
          url: cfg.authurl.host,
          router: cfg.authurl.router,
          timeoutMs: cfg.authurl.timeout,
          log,
        }) ??
          undefined,
      };
      const hls = defaultHlsOptions({
        enabled: cfg.rtmp.hashls,
        targetMs: h.hlsduration * 1000,
        windowSize: h.hlssegment,
        cacheSize: h.hlslivecache,
        fmp4: h.hlsfmp4,
        llhls: h.llhls,
      });
      const dash = defaultDashOptions({
        enabled: cfg.rtmp.hasdash,
        windowS: h.dashduration,
        maxSegments: h.dashlivecache,
      });
      const app = createHttpApp(deps, [
        ...FEATURES,
        (d) => hlsRoutes(d, hls),
        (d) => dashRoutes(d, dash),
        (d) => recRoutes(d, { root: resolvePath(ctx.root, "rec") }),
        (d) => vodRoutes(d, { root: resolvePath(ctx.root, "vod"), maxBody: h.httpmaxbody }),
      ]);
      return createHttpServer({
        app,
        log,
        hostname: h.ip || "0.0.0.0",
        port: h.port,
        tls: tlsFor(ctx, "http", h.sport),
      });
    },
  });
}
