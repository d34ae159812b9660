/**
 * GET /api/streams: Estuary's own one-call list for the H5 player and dashboards. Every live stream
 * with what /api/live gives per stream (media, rate, uptime, URLs) plus its players per protocol, so
 * a page refreshing every few seconds makes one request, not one per stream. smart_rtmpd's
 * /api/live and /api/stream keep their own shapes (api.ts).
 */
import { Hono } from "hono";
import type { Stream } from "../core/mod.ts";
import { apiAuth } from "./api.ts";
import type { HttpDeps } from "./deps.ts";
import { requestHost } from "./request.ts";
import { playerCounts, type StreamDetails, streamDetails, streamWarnings } from "./stream_info.ts";

export interface StreamEntry {
  app: string;
  name: string;
  vhost: string;
  /** Publisher's protocol and address (smart_rtmpd's `from`). */
  from: string;
  /** Seconds since the publish began. */
  uptime: number;
  /** kbit/s, as /api/live's `rate`. */
  rate: number;
  media: StreamDetails["media"];
  players: { count: Record<string, number>; total: number };
  urls: StreamDetails["urls"];
  recording: boolean;
  /** What players of this stream should know (B-frames, G.711 on HLS, audio transcoded for WebRTC). */
  warnings: string[];
}

export function streamEntry(deps: HttpDeps, s: Stream, host: string, now = Date.now()): StreamEntry {
  const d = streamDetails(s, deps.publicUrls(s, host), now);
  return {
    app: s.app,
    name: s.name,
    vhost: s.vhost,
    from: d.app.from,
    uptime: Math.max(0, Math.floor((now - s.startedAt) / 1000)),
    rate: d.app.rate,
    media: d.media,
    players: playerCounts(s),
    urls: d.urls,
    recording: deps.recording?.(s.key) ?? deps.hub.isRecordApp(s.app),
    warnings: streamWarnings(s),
  };
}

export function routes(deps: HttpDeps): Hono {
  const app = new Hono();
  app.use("/api/streams", apiAuth(deps));
  app.get("/api/streams", (c) => {
    const host = requestHost(c.req.raw);
    const appName = c.req.query("app");
    const streams = deps.hub.streams()
      .filter((s) => appName === undefined || appName === "" || s.app === appName)
      .sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
      .map((s) => streamEntry(deps, s, host));
    return c.json({ streams });
  });
  return app;
}
