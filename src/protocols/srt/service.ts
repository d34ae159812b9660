/** The SRT service module: config → SRT listener settings. */
import type { Config } from "../../config/mod.ts";
import { defineService, withMetrics } from "../../service.ts";
import { srtMetrics } from "./metrics.ts";
import { createSrtServer } from "./server.ts";
import { deliveryShare } from "../../workers/settings.ts";

export interface SrtSettings {
  hostname: string;
  port: number;
  latencyMs: number;
  passphrase: string | undefined;
  pbkeylen: number;
  maxIdleMs: number;
  maxConns: number;
  maxConnsPerIp: number;
  /** `<sock><recvbuffer>` / `<sendbuffer>` in bytes for the UDP socket (0: the system's default). */
  recvBuffer: number;
  sendBuffer: number;
  /** A player of a stream not yet live waits this long (libsrt callers give up after 3 s). */
  playWaitMs: number;
  fanout: { batchMs: number; maxBatchMs: number; deliveryShare: number; fastStart: boolean };
  /** Opus → AAC for players of Opus sources: `<rtc><aacbitrate>`; null when `<rtc><transcode>` is off. */
  aac: { bitrate: number } | null;
}

export function srtSettings(c: Config): SrtSettings | null {
  const s = c.srt;
  if (!s.enable) return null;
  return {
    hostname: s.ip || "0.0.0.0",
    port: s.port,
    latencyMs: s.latency,
    passphrase: s.passphrase || undefined,
    pbkeylen: s.pbkeylen,
    maxIdleMs: s.maxidle * 1000,
    maxConns: s.maxconns,
    maxConnsPerIp: s.maxconnsperip,
    recvBuffer: c.sock.recvbuffer * 1024,
    sendBuffer: c.sock.sendbuffer * 1024,
    playWaitMs: c.rtmp.notfound === "wait" ? Math.min(c.rtmp.playwait * 1000, 1000) : 0,
    fanout: {
      batchMs: c.rtmp.batchms,
      maxBatchMs: c.rtmp.maxbatchms,
      deliveryShare: deliveryShare(c),
      fastStart: c.rtmp.gopenable,
    },
    aac: c.rtc.transcode ? { bitrate: c.rtc.aacbitrate * 1000 } : null,
  };
}

export const srtService = defineService<SrtSettings>({
  name: "srt",
  listens: [{ name: "srt", ssl: false }],
  settings: srtSettings,
  create(s, ctx) {
    const server = createSrtServer({ hub: ctx.hub, log: ctx.log, ...s });
    return withMetrics(ctx, "srt", () => srtMetrics(server.stats()), {
      start: () => server.start(),
      close: () => server.close(),
      update: (next) => server.update(next),
      listeners: () => ({ srt: server.port }),
      stats: () => server.stats(),
    });
  },
});
