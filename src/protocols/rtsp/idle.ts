/**
 * When an RTSP connection has waited too long: a request started but not finished within the header
 * deadline, no request at all, a recording with no media, or a session (UDP, or paused) that shows no
 * sign of life. A TCP player being fed needs no keep-alive: its writes prove it is there.
 */
import type { PlaySession } from "./play_session.ts";
import type { RecordSession } from "./record_session.ts";

export interface IdleState {
  now: number;
  /** `<rtsp><headertimeout>` in ms; 0 = none. */
  headerTimeoutMs: number;
  /** When the unfinished request began, if one is being read. */
  partialSince: number | undefined;
  /** `<rtsp><maxidle>` in ms; 0 = none. */
  maxIdleMs: number;
  lastRequest: number;
  session: PlaySession | RecordSession | undefined;
}

/** Why the connection should close now, or undefined. */
export function idleReason(o: IdleState): string | undefined {
  const hdr = o.headerTimeoutMs;
  if (hdr > 0 && o.partialSince !== undefined && o.now - o.partialSince > hdr) {
    return `no complete request within ${hdr} ms`;
  }
  const max = o.maxIdleMs;
  if (max <= 0) return undefined;
  const s = o.session;
  if (!s) return o.now - o.lastRequest > max ? `idle for more than ${max} ms` : undefined;
  if (s.mode === "record") {
    return o.now - (s.recording ? s.lastPacketAt : o.lastRequest) > max
      ? `no media for more than ${max} ms`
      : undefined;
  }
  if (s.lower === "udp" || !s.playing) {
    return o.now - s.lastActivity > max ? `session timed out after ${max} ms` : undefined;
  }
  return undefined;
}
