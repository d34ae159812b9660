/**
 * What the HTTP features need from the rest of the server. src/server.ts builds one of these; the
 * features read `options` per request, so a config reload can update the object in place.
 */
import type { Hub, Stream } from "../core/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { HttpAuthorizer } from "../auth/mod.ts";
import type { Metrics } from "../metrics/mod.ts";
import type { LiveSessions } from "./live_sessions.ts";
import type { Readiness } from "../service.ts";
import type { AacViewSettings } from "../transcode/mod.ts";

/** One service in /api/status. */
export interface ServiceStatus {
  port: number;
  run: boolean;
  ssl: boolean;
}

export interface ServerStatus {
  /** Keyed by service name: http, https, rtmp, rtmps, rtsp, srt, … */
  services: Record<string, ServiceStatus>;
  startTime: Date;
}

/** A URL a player can use for a stream (type: rtmp, http-flv, ws-flv, http-hls, http-dash, rtsp, srt, webrtc). */
export interface PublicUrl {
  type: string;
  url: string;
}

export interface HttpOptions {
  /** `<rtmp><hasflv>`: serve HTTP-FLV and WS-FLV. */
  hasflv: boolean;
  /** How long an FLV player waits for a stream that is not published yet (0 = 404 at once). */
  playWaitMs: number;
  /** Static root (html/); "" disables static files. */
  htmlRoot: string;
  /** The built-in pages (dist/web), served when html/ has no such file; "" = none. */
  webRoot: string;
  /** Extensions (without dot, lower case) and folders (relative to the root) never served. */
  denyFiles: readonly string[];
  denyPaths: readonly string[];
  /** FLV fan-out: batch window, per-player backlog bound (`<http><flvblock>` KB), drops before disconnect. */
  flvBatchMs: number;
  /** `<rtmp><maxbatchms>`: the widest batch window under load. */
  flvMaxBatchMs?: number;
  /** The FLV fan-outs' delivery share (FanoutOptions.deliveryShare; divided among `<workers>`). */
  flvDeliveryShare?: number;
  flvMaxQueueBytes: number;
  flvMaxDrops: number;
  /** A player whose write has not progressed for this long is disconnected. */
  flvStallMs: number;
  /** `<rtmp><gopenable>`: players start with the cached GOP. */
  fastStart: boolean;
  /** `<rtmp><codech265>`: the legacy FLV codec id for HEVC (12 in smart_rtmpd and flv.js). */
  hevcCodecId: number;
  /** `<http><metrics>`: serve `GET /metrics` (Prometheus text). */
  metricsEnabled: boolean;
  /**
   * Opus → AAC for the outputs that carry AAC only (legacy FLV, MPEG-TS HLS): `<rtc><aacbitrate>` in
   * bit/s; null when `<rtc><transcode>` is off (they get the Opus as it is). Read per player.
   */
  aac: AacViewSettings;
}

export interface HttpDeps {
  hub: Hub;
  log: Logger;
  options: HttpOptions;
  /** Ports and state of every service, for /api/status. */
  status(): ServerStatus;
  /** For /api/ready; absent: ready whenever the HTTP front answers. */
  readiness?(): Readiness;
  /**
   * The URLs players can use for a stream. `host` is the host name the client used (Host header,
   * without port); the server substitutes NAT addresses and its own ports.
   */
  publicUrls(stream: Stream, host: string): PublicUrl[];
  /**
   * Per-protocol session statistics of one stream for /api/live details (e.g. SRT RTT, loss,
   * retransmits, bitrate per session), keyed by protocol. Optional.
   */
  sessionStats?(stream: Stream): Record<string, unknown[]>;
  /** The forwards of one stream to other servers (policy.xml) for /api/live details. Optional. */
  forwards?(stream: Stream): unknown[];
  /** Whether a stream is being recorded now (a record app, or started on demand). Optional. */
  recording?(key: string): boolean;
  /** The static pull (policy.xml `<pulls>`) this stream comes from, for /api/live details. Optional. */
  pull?(stream: Stream): unknown;
  /** Auth callback for API calls, uploads and downloads (role api|upload|download); none = open. */
  authorizeHttp?: HttpAuthorizer;
  /** Long-lived responses (FLV, WebSockets) that a server close must end; createHttpApp fills it in. */
  sessions?: LiveSessions;
  /** The server's metrics registry, for `GET /metrics` and `/api/statistics`; none = both 404. */
  metrics?: Metrics;
  /** Extra headers for a CORS preflight (OPTIONS) of a path, e.g. WHIP/WHEP's ICE server `Link`s. */
  preflightHeaders?(path: string): [string, string][];
  /**
   * Sibling worker processes (`<workers>` > 1): a request the whole server answers (the API gathered
   * from every worker, a stream's HLS/DASH from its publisher's worker); undefined = answered here.
   */
  workers?: { intercept(req: Request, client?: Deno.NetAddr): Promise<Response> | undefined };
}

/** Defaults for the options (the same as the config schema's). */
export function defaultHttpOptions(overrides: Partial<HttpOptions> = {}): HttpOptions {
  return {
    hasflv: true,
    playWaitMs: 10_000,
    htmlRoot: "",
    webRoot: "",
    denyFiles: ["php", "xml"],
    denyPaths: [],
    flvBatchMs: 20,
    flvMaxQueueBytes: 2048 * 1024,
    flvMaxDrops: 10,
    flvStallMs: 15_000,
    fastStart: true,
    hevcCodecId: 12,
    metricsEnabled: true,
    aac: {},
    ...overrides,
  };
}
