/** The RTSP service module: config → RTSP/RTSPS listener and RTP settings. */
import { type Config, type TlsMaterial, tlsMaterial } from "../../config/mod.ts";
import { defineService, withMetrics } from "../../service.ts";
import { rtspMetrics } from "./metrics.ts";
import { createRtspServer } from "./server.ts";
import type { ConnLimits } from "../../net/mod.ts";
import { deliveryShare } from "../../workers/settings.ts";

export interface RtspSettings {
  hostname: string;
  port: number;
  tls: TlsMaterial | undefined;
  rtpPortRange: { min: number; max: number };
  /** `<sock><recvbuffer>` in bytes, for a publisher's RTP socket over UDP. */
  recvBuffer: number;
  rtpPayloadTypes: { h264: number; h265: number; aac: number };
  mtu: number;
  /** The host UDP players are told to expect RTP from (`<nat><rtp>`, else `<nat><rtsp>`), without port. */
  natHost: string | undefined;
  maxIdleMs: number;
  playWaitMs: number;
  fanout: { batchMs: number; maxBatchMs: number; deliveryShare: number; fastStart: boolean };
  headerTimeoutMs: number;
  limits: ConnLimits;
}

export function rtspSettings(c: Config, root: string): RtspSettings | null {
  const r = c.rtsp;
  if (!r.enable) return null;
  const natHost = (c.nat.rtp || c.nat.rtsp).replace(/:\d+$/, "");
  return {
    hostname: r.ip || "0.0.0.0",
    port: r.port,
    tls: tlsMaterial(c, root, "rtsp"),
    rtpPortRange: { min: c.rtp.min, max: c.rtp.max },
    recvBuffer: c.sock.recvbuffer * 1024,
    rtpPayloadTypes: { h264: c.rtmp.rtp.h264, h265: c.rtmp.rtp.h265, aac: c.rtmp.rtp.aac },
    mtu: c.rtmp.rtp.size,
    natHost: natHost || undefined,
    maxIdleMs: r.maxidle * 1000,
    // DESCRIBE of a stream not yet published waits at most 5 s: RTSP clients time out soon after.
    playWaitMs: c.rtmp.notfound === "wait" ? Math.min(c.rtmp.playwait * 1000, 5000) : 0,
    fanout: {
      batchMs: c.rtmp.batchms,
      maxBatchMs: c.rtmp.maxbatchms,
      deliveryShare: deliveryShare(c),
      fastStart: c.rtmp.gopenable,
    },
    headerTimeoutMs: r.headertimeout * 1000,
    limits: { maxConns: r.maxconns, maxConnsPerIp: r.maxconnsperip, fdReserve: c.sock.fdreserve },
  };
}

export const rtspService = defineService<RtspSettings>({
  name: "rtsp",
  listens: [{ name: "rtsp", ssl: false }, { name: "rtsps", ssl: true }],
  settings: rtspSettings,
  create(s, ctx) {
    const server = createRtspServer({ hub: ctx.hub, log: ctx.log, ...s });
    return withMetrics(ctx, "rtsp", () => rtspMetrics(server.stats()), {
      start: () => server.start(),
      close: () => server.close(),
      update: (next) => server.update(next),
      listeners: () => ({ rtsp: server.port, rtsps: server.tlsPort }),
      stats: () => server.stats(),
    });
  },
});
