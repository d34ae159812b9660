/** The RTMP service module: config → RTMP/RTMPS listener settings. */
import { type Config, type TlsMaterial, tlsMaterial } from "../../config/mod.ts";
import { defineService, withMetrics } from "../../service.ts";
import { rtmpMetrics } from "./metrics.ts";
import { createRtmpServer } from "./server.ts";
import type { ConnLimits } from "../../net/mod.ts";
import { deliveryShare } from "../../workers/settings.ts";

export interface RtmpSettings {
  hostname: string;
  port: number;
  tls: TlsMaterial | undefined;
  chunkSize: number;
  hevcCodecId: number;
  notFound: "wait" | "reject";
  playWaitMs: number;
  fmt3ExtTime: boolean;
  fanout: { batchMs: number; maxBatchMs: number; deliveryShare: number; fastStart: boolean };
  handshakeTimeoutMs: number;
  startTimeoutMs: number;
  limits: ConnLimits;
  /** Opus → AAC for players without Enhanced RTMP Opus: `<rtc><aacbitrate>`; null when `<rtc><transcode>` is off. */
  aac: { bitrate: number } | null;
}

export function rtmpSettings(c: Config, root: string): RtmpSettings | null {
  const r = c.rtmp;
  if (!r.enable) return null;
  return {
    hostname: r.ip || "0.0.0.0",
    port: r.port,
    tls: tlsMaterial(c, root, "rtmp"),
    // Our outgoing chunk size; above 64 KB players gain nothing and some libraries break.
    chunkSize: Math.min(r.chunksize, 65536),
    hevcCodecId: r.codech265,
    notFound: r.notfound,
    playWaitMs: r.playwait * 1000,
    fmt3ExtTime: r.hdr3exttime,
    fanout: {
      batchMs: r.batchms,
      maxBatchMs: r.maxbatchms,
      deliveryShare: deliveryShare(c),
      fastStart: r.gopenable,
    },
    handshakeTimeoutMs: r.connecttimeout * 1000,
    startTimeoutMs: r.starttimeout * 1000,
    limits: { maxConns: r.maxconns, maxConnsPerIp: r.maxconnsperip, fdReserve: c.sock.fdreserve },
    aac: c.rtc.transcode ? { bitrate: c.rtc.aacbitrate * 1000 } : null,
  };
}

export const rtmpService = defineService<RtmpSettings>({
  name: "rtmp",
  listens: [{ name: "rtmp", ssl: false }, { name: "rtmps", ssl: true }],
  settings: rtmpSettings,
  create(s, ctx) {
    const server = createRtmpServer({ hub: ctx.hub, log: ctx.log, ...s });
    return withMetrics(ctx, "rtmp", () => rtmpMetrics(server.stats()), {
      start: () => server.start(),
      close: () => server.close(),
      update: (next) => server.update(next),
      listeners: () => ({ rtmp: server.port, rtmps: server.tlsPort }),
      stats: () => server.stats(),
    });
  },
});
