/**
 * The HTTP service module: config → the HTTP/HTTPS listeners and every HTTP feature's options. The
 * feature list lives here: API and FLV first, then HLS, DASH, recordings and VOD, static files last.
 */
import { BUILTIN_WEB_ROOT } from "./web_root.ts";
import {
  type Config,
  offeredBy,
  type OutputSwitches,
  outputSwitches,
  resolvePath,
  type TlsMaterial,
  tlsMaterial,
} from "../config/mod.ts";
import type { Stream } from "../core/mod.ts";
import { createHttpAuthorizer } from "../auth/mod.ts";
import { recordingKeys } from "../record/mod.ts";
import { defineService, type ServiceContext, withMetrics } from "../service.ts";
import { createHttpApp, FEATURES } from "./app.ts";
import { createHttpServer } from "./server.ts";
import type { FrontLimits } from "./front/mod.ts";
import { defaultHttpOptions, type HttpDeps, type HttpOptions } from "./deps.ts";
import { createHlsRoutes, defaultHlsOptions, type HlsOptions } from "./hls.ts";
import { createDashRoutes, type DashOptions, defaultDashOptions } from "./dash.ts";
import type { LiveRoutes } from "./_segmenters.ts";
import { frontFamilies, segmentFamilies } from "./segment_metrics.ts";
import { recRoutes } from "./rec.ts";
import { vodRoutes } from "./vod.ts";
import { routes as metricsRoutes } from "./metrics.ts";
import { publicUrlsFrom } from "./public_urls.ts";
import { adminFeature } from "./admin_feature.ts";
import { AdminAlias } from "./admin_alias.ts";
import type { AdminSettings } from "../admin/mod.ts";
import { iceLinkHeaders, isWebrtcEndpoint, whepPath, whepRoutes } from "./whep.ts";
import { whipRoutes } from "./whip.ts";
import { WebrtcSessions, type WebrtcSettings, webrtcSettings } from "../protocols/webrtc/mod.ts";
import { deliveryShare } from "../workers/settings.ts";

export interface HttpSettings {
  hostname: string;
  port: number;
  tls: TlsMaterial | undefined;
  options: HttpOptions;
  hls: HlsOptions;
  dash: DashOptions;
  recRoot: string;
  vodRoot: string;
  maxBody: number;
  /** The front's connection limits and deadlines (maxBody is the one above). */
  front: Omit<FrontLimits, "maxBody" | "maxWsMessage">;
  /** The auth callback's base URL ("" = open) and timeout. */
  auth: { url: string; timeoutMs: number; cacheMs: number };
  /** The admin API's first user and session length. */
  admin: AdminSettings;
  /** `<admin><port>`: smart_rtmpd's admin port, serving the admin API at /api/*; 0 = off. */
  adminPort: number;
  /** NAT addresses and enabled HTTP outputs, for the URLs handed to players. */
  nat: Config["nat"];
  outputs: { flv: boolean; hls: boolean; dash: boolean };
  /** config.xml's `has*` switches for RTSP and SRT (the hub refuses such players; URLs leave them out). */
  switches: OutputSwitches;
  /** WHEP (and WHIP) on these listeners; null when `<rtmp><haswebrtc>` is off. */
  webrtc: WebrtcSettings | null;
}

export function httpSettings(c: Config, root: string): HttpSettings | null {
  const h = c.http;
  if (!h.enable) return null;
  return {
    hostname: h.ip || "0.0.0.0",
    port: h.port,
    tls: tlsMaterial(c, root, "http"),
    options: defaultHttpOptions({
      hasflv: c.rtmp.hasflv,
      // An HTTP client gives up long before smart_rtmpd's playwait could end: at most 10 s.
      playWaitMs: c.rtmp.notfound === "wait" ? Math.min(c.rtmp.playwait * 1000, 10_000) : 0,
      htmlRoot: resolvePath(root, "html"),
      webRoot: BUILTIN_WEB_ROOT,
      denyFiles: h.denyFiles,
      denyPaths: h.denyPaths,
      flvBatchMs: c.rtmp.batchms,
      flvMaxBatchMs: c.rtmp.maxbatchms,
      flvDeliveryShare: deliveryShare(c),
      flvMaxQueueBytes: h.flvblock * 1024,
      fastStart: c.rtmp.gopenable,
      hevcCodecId: c.rtmp.codech265,
      metricsEnabled: h.metrics,
      aac: c.rtc.transcode ? { bitrate: c.rtc.aacbitrate * 1000 } : null,
    }),
    hls: defaultHlsOptions({
      enabled: c.rtmp.hashls,
      targetMs: h.hlsduration * 1000,
      windowSize: h.hlssegment,
      cacheSize: h.hlslivecache,
      fmp4: h.hlsfmp4,
      llhls: h.llhls,
    }),
    dash: defaultDashOptions({
      enabled: c.rtmp.hasdash,
      // Segments aim at hlsduration, at most a third of the time-shift window (dashduration).
      segmentMs: Math.max(1, Math.min(h.hlsduration, Math.floor(h.dashduration / 3))) * 1000,
      windowS: h.dashduration,
      maxSegments: h.dashlivecache,
    }),
    recRoot: resolvePath(root, "rec"),
    vodRoot: resolvePath(root, "vod"),
    maxBody: h.httpmaxbody,
    front: {
      maxConns: h.maxconns,
      maxConnsPerIp: h.maxconnsperip,
      fdReserve: c.sock.fdreserve,
      headerTimeoutMs: h.headertimeout * 1000,
      idleTimeoutMs: h.idletimeout * 1000,
      wsIdleMs: h.wsidletimeout * 1000,
    },
    auth: { url: c.authurl.url, timeoutMs: c.authurl.timeout, cacheMs: c.authurl.cache * 1000 },
    admin: { user: c.admin.user, password: c.admin.password, sessionTtlMs: c.admin.sessionttl * 60_000 },
    adminPort: c.admin.port,
    nat: c.nat,
    outputs: { flv: c.rtmp.hasflv, hls: c.rtmp.hashls, dash: c.rtmp.hasdash },
    switches: outputSwitches(c),
    webrtc: webrtcSettings(c),
  };
}

/** The URLs of every output of a stream, with this server's ports and the configured NAT hosts. */
function endpointsOf(s: HttpSettings, ctx: ServiceContext) {
  return () => {
    const st = ctx.status();
    const ep = (name: string, nat: string) => st[name]?.run ? { port: st[name].port, nat } : undefined;
    const http = ep("http", s.nat.http), https = ep("https", s.nat.https);
    // <nat> maps the plain RTMP and RTSP ports; their TLS twins are reached at the same public address.
    const natHost = (nat: string) => nat.replace(/:\d+$/, "");
    return {
      rtmp: ep("rtmp", s.nat.rtmp),
      http: http && { ...http, ...s.outputs },
      rtsp: ep("rtsp", s.nat.rtsp),
      srt: ep("srt", s.nat.srt),
      rtmps: ep("rtmps", natHost(s.nat.rtmp)),
      https: https && { ...https, ...s.outputs },
      rtsps: ep("rtsps", natHost(s.nat.rtsp)),
      webrtcPath: s.webrtc ? whepPath : undefined,
      offered: offeredBy(s.switches),
    };
  };
}

/** SRT keeps per-session transport stats (RTT, loss, retransmits); /api/live shows a stream's. */
function sessionStatsOf(ctx: ServiceContext) {
  return (stream: Stream): Record<string, unknown[]> => {
    const srt = ctx.service("srt")?.stats() as { list?: { key: string }[] } | undefined;
    const mine = (srt?.list ?? []).filter((e) => e.key === stream.key);
    return mine.length ? { srt: mine } : {};
  };
}

/** The cluster service's forwards of one stream (target, state, bytes, reconnects). */
function forwardsOf(ctx: ServiceContext) {
  return (stream: Stream): unknown[] => {
    const st = ctx.service("cluster")?.stats() as { forwards?: { key: string }[] } | undefined;
    return (st?.forwards ?? []).filter((f) => f.key === stream.key);
  };
}

/** The pulls service's pull behind one stream (source, state, restarts, last error), if any. */
function pullOf(ctx: ServiceContext) {
  return (stream: Stream): unknown => {
    const st = ctx.service("pulls")?.stats() as { pulls?: { name: string; since: number }[] } | undefined;
    const p = st?.pulls?.find((p) => p.name === stream.key);
    return p && { ...p, since: new Date(p.since).toISOString() }; // as forwards' since
  };
}

/** The part of the settings that binds sockets: only a change here moves the listeners. */
const listenKey = (s: HttpSettings) => JSON.stringify([s.hostname, s.port, s.tls]);

export const httpService = defineService<HttpSettings>({
  name: "http",
  listens: [{ name: "http", ssl: false }, { name: "https", ssl: true }, { name: "admin", ssl: false }],
  settings: httpSettings,
  create(s, ctx) {
    // `cur` and the option objects below are handed to the features once and edited in place by
    // update(): the features read them per request, so a reload reaches running routes.
    const cur = s;
    const vod = { root: s.vodRoot, maxBody: s.maxBody };
    const authorizer = (a: HttpSettings["auth"]) => createHttpAuthorizer({ ...a, log: ctx.log });
    const deps: HttpDeps = {
      hub: ctx.hub,
      log: ctx.log,
      options: cur.options,
      status: () => ({ services: ctx.status(), startTime: ctx.startedAt }),
      readiness: ctx.readiness,
      publicUrls: publicUrlsFrom(endpointsOf(cur, ctx)),
      sessionStats: sessionStatsOf(ctx),
      forwards: forwardsOf(ctx),
      pull: pullOf(ctx),
      recording: (key) => recordingKeys(ctx).includes(key),
      authorizeHttp: authorizer(cur.auth),
      metrics: ctx.metrics,
      workers: ctx.worker,
    };
    let hls: LiveRoutes | undefined, dash: LiveRoutes | undefined;
    // WebRTC sessions live as long as this service; with haswebrtc off the routes answer 404.
    const rtc = new WebrtcSessions(s.webrtc, ctx.log, ctx.hub.sessions);
    const srtStats = deps.sessionStats!;
    // /api/live details list a stream's WebRTC sessions (viewers and a WHIP publisher) beside SRT's.
    deps.sessionStats = (stream) => {
      const webrtc = rtc.stats().list.filter((e) => e.key === stream.key);
      return webrtc.length ? { ...srtStats(stream), webrtc } : srtStats(stream);
    };
    deps.preflightHeaders = (path) => isWebrtcEndpoint(path) ? iceLinkHeaders(rtc) : [];
    const admin = adminFeature(ctx, cur.admin);
    const app = createHttpApp(deps, [
      ...(admin ? [admin] : []),
      ...FEATURES,
      metricsRoutes,
      (d) => (hls = createHlsRoutes(d, cur.hls)).app,
      (d) => (dash = createDashRoutes(d, cur.dash)).app,
      (d) => recRoutes(d, { root: cur.recRoot }),
      (d) => vodRoutes(d, vod),
      (d) => whepRoutes(d, rtc),
      (d) => whipRoutes(d, rtc),
    ]);
    // Siblings reach this worker's own answers (and its streams' HLS/DASH) through its private port.
    ctx.worker?.setApp(app.fetch);
    const limits = { ...s.front, maxBody: s.maxBody };
    const server = createHttpServer({
      app,
      log: ctx.log,
      hostname: s.hostname,
      port: s.port,
      tls: s.tls,
      limits,
      // A sibling worker's stream goes through the app, which proxies it to that worker.
      hot: (req) => ctx.worker?.servedBySibling(req.path) ? undefined : hls?.hot?.(req) ?? dash?.hot?.(req),
    });
    const alias = new AdminAlias(app, ctx.log, limits);
    const families = () => [
      ...segmentFamilies(hls!.stats(), dash!.stats()),
      ...frontFamilies(server.stats()),
    ];
    return withMetrics(ctx, "http", families, {
      async start() {
        await server.start();
        await alias.set(s.hostname, s.adminPort);
      },
      async close() {
        rtc.closeAll();
        await alias.close();
        await server.close();
      },
      async update(next) {
        if (listenKey(next) !== listenKey(cur)) {
          await server.rebind({ hostname: next.hostname, port: next.port, tls: next.tls });
        }
        await alias.set(next.hostname, next.adminPort);
        if (JSON.stringify(next.auth) !== JSON.stringify(cur.auth)) {
          deps.authorizeHttp = authorizer(next.auth);
        }
        Object.assign(cur.options, next.options);
        Object.assign(cur.hls, next.hls);
        Object.assign(cur.dash, next.dash);
        rtc.update(next.webrtc);
        vod.maxBody = next.maxBody;
        Object.assign(limits, next.front, { maxBody: next.maxBody });
        Object.assign(cur.admin, next.admin);
        const { options: _o, hls: _h, dash: _d, admin: _a, ...rest } = next;
        Object.assign(cur, rest);
      },
      listeners: () => ({ http: server.port, https: server.tlsPort, admin: alias.port }),
      stats: () => ({ ...server.stats(), webrtc: rtc.stats() }),
    });
  },
});
