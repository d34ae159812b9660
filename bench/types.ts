/** The bench's result shapes, shared by the runner, the latency probe and the report. */
import type { Profile } from "./media.ts";

/** The protocols the bench measures (rtsp-tcp: interleaved RTP; rtsp-udp: an RTP/RTCP port pair per track). */
export const PROTOS = ["rtmp", "flv", "hls", "whep", "rtsp-tcp", "rtsp-udp", "srt"] as const;

export interface Level {
  proto: typeof PROTOS[number];
  profile: Profile;
  n: number;
}

export interface Result extends Level {
  peer: string;
  connected: number;
  started: number;
  dropped: number;
  errors: string[];
  window_s: number;
  /**
   * Smallest share any player received (1 = 100 %): of the expected bytes (RTMP, FLV), of the RTP
   * packets (WHEP: distinct sequence numbers over their span; RTSP: RTP packets over the span of their
   * sequence numbers; SRT: packets delivered over delivered + dropped by the receiver).
   */
  min_share: number;
  /** WHEP, RTSP, SRT: players that received ≥ 99 % of the packets; WHEP: SRTP packets that failed their check. */
  players_99?: number;
  auth_failures?: number;
  auth_checks?: number;
  /** WHEP viewers whose every sampled packet failed (SRTP keys that differ after DTLS). */
  auth_all_failed_viewers?: number;
  /** WHEP: seconds to connect every viewer (5 at a time), and viewers that needed a second try. */
  connect_s?: number;
  /** The load generator's own CPU over the window, in cores (near 1: it, not the server, is the limit). */
  loader_cpu_share?: number;
  /**
   * WHEP: packets per stage over the window (server sent, viewers received, kernel drops; whep_load.ts);
   * SRT: TS continuity and sync errors the players saw (packet_load.ts).
   */
  stages?: Record<string, number | null>;
  retries?: number;
  delivered_gbit: number;
  cpu_s: number;
  cpu_per_gbit: number;
  rss_growth_per_player_kb: number;
  /** Growth of the anonymous resident memory per player (no pages of the executable's code). */
  anon_growth_per_player_kb?: number;
  peak_rss_mb: number;
  /** CPU seconds of each of the server's processes in the window, largest first (workers). */
  cpu_by_process?: number[];
  /** Busy % of each core of the machine in the window (the load generator included). */
  core_busy?: number[];
}

export interface LatencyResult {
  peer: string;
  proto: "rtmp" | "flv";
  players: number;
  p50_ms: number;
  p99_ms: number;
  samples: number;
}
