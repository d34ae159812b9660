/** The bench's result shapes, shared by the runner, the latency probe and the report. */
import type { Profile } from "./media.ts";

export interface Level {
  proto: "rtmp" | "flv" | "hls";
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
  /** Smallest share of the expected bytes any player received (1 = 100 %). */
  min_share: number;
  delivered_gbit: number;
  cpu_s: number;
  cpu_per_gbit: number;
  rss_growth_per_player_kb: number;
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
