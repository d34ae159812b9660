/** The JSON that /api/live and /api/stream give for one stream (smart_rtmpd's shapes). */
import { RELAY_PLAYER, type Stream } from "../core/mod.ts";
import type { PublicUrl } from "./deps.ts";
import { hasAacView, isTranscoding } from "../transcode/mod.ts";

export interface StreamDetails {
  app: { duration: string; from: string; rate: number; rec: boolean };
  media: {
    video?: { codec: string; width: number; height: number; fps: number; gop: number };
    audio?: { codec: string; samplerate: number; channel: number; samplebit: number };
  };
  urls: PublicUrl[];
}

/** ISO 8601 duration from milliseconds, whole seconds: 65000 → "PT1M5S", 0 → "PT0S". */
export function isoDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let out = "PT";
  if (h) out += `${h}H`;
  if (m) out += `${m}M`;
  if (s || (!h && !m)) out += `${s}S`;
  return out;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Bit rate in kbit/s: since the previous query (≥ 1 s ago), else the average since publish. */
const samples = new WeakMap<Stream, { at: number; bytes: number; kbps: number }>();
export function rateKbps(s: Stream, now = Date.now()): number {
  const bytes = s.stats.bytesIn;
  const prev = samples.get(s);
  if (prev && now - prev.at < 1000) return prev.kbps;
  const kbps = prev
    ? ((bytes - prev.bytes) * 8) / (now - prev.at)
    : (bytes * 8) / Math.max(1, now - s.startedAt); // bytes per ms × 8 = kbit/s
  samples.set(s, { at: now, bytes, kbps: round2(kbps) });
  return round2(kbps);
}

/** Bits per sample the decoder outputs: 8 for G.711's companded bytes, otherwise 16. */
function sampleBits(codec: string): number {
  return codec === "pcma" || codec === "pcmu" ? 8 : 16;
}

export function streamDetails(s: Stream, urls: PublicUrl[], now = Date.now()): StreamDetails {
  const ms = now - s.startedAt;
  const details: StreamDetails = {
    app: { duration: isoDuration(ms), from: s.info.from, rate: rateKbps(s, now), rec: false },
    media: {},
    urls,
  };
  const v = s.videoTrack;
  if (v) {
    const measured = ms > 0 ? (s.stats.videoFrames * 1000) / ms : 0;
    details.media.video = {
      codec: v.codec.toUpperCase(),
      width: v.width,
      height: v.height,
      fps: round2(v.fps || measured),
      gop: s.stats.gop,
    };
  }
  const a = s.audioTrack;
  if (a) {
    details.media.audio = {
      codec: a.codec.toUpperCase(),
      samplerate: a.sampleRate,
      channel: a.channels,
      samplebit: sampleBits(a.codec),
    };
  }
  return details;
}

/** Players per protocol (`stream.attachPlayer` names) and their total. */
export function playerCounts(s: Stream): { count: Record<string, number>; total: number } {
  const count: Record<string, number> = {};
  let total = 0;
  for (const [proto, n] of s.players) {
    if (proto === RELAY_PLAYER) continue; // a sibling worker's pull: its players count there
    count[proto] = n;
    total += n;
  }
  return { count, total };
}

/**
 * Warnings about a stream, from its tracks and its GOP cache: B-frames (WebRTC viewers get the I and P
 * frames only: browsers decode few frames of a stream with B-frames), G.711 audio (HLS and DASH players get no sound), audio being transcoded.
 */
export function streamWarnings(s: Stream): string[] {
  const out: string[] = [];
  if (s.gopCache.some((f) => f.track.kind === "video" && f.pts !== f.dts)) {
    out.push(
      "B-frames: WebRTC viewers get the I and P frames only (a lower frame rate); encode without B-frames for WebRTC",
    );
  }
  const a = s.audioTrack?.codec;
  if (a === "pcma" || a === "pcmu") out.push("G.711 audio: HLS and DASH players get no sound");
  if (isTranscoding(s, "opus")) out.push("transcoding: AAC → Opus for WebRTC viewers");
  if (hasAacView(s)) out.push("transcoding: Opus → AAC for RTMP, FLV and TS HLS players");
  return out;
}
