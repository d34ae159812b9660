/**
 * Metric families of the segmented outputs: MediaMTX's `hls_muxers{name}` (one series per live HLS
 * muxer, with Estuary's `variant` label: ts or fmp4) and Estuary's own DASH and player gauges, and the
 * front's listener families.
 */
import { listenerFamilies, type MetricFamily } from "../metrics/mod.ts";
import type { HttpServerStats } from "./server.ts";
import type { SegmenterStats } from "./_segmenters.ts";

export function segmentFamilies(hls: SegmenterStats, dash: SegmenterStats): MetricFamily[] {
  const muxers = (s: SegmenterStats) =>
    s.muxers.map((m) => ({ labels: { name: m.path, variant: m.variant }, value: 1 }));
  const players = (s: SegmenterStats) =>
    s.muxers.map((m) => ({ labels: { name: m.path, variant: m.variant }, value: m.players }));
  return [
    {
      name: "hls_muxers",
      help: "Live HLS muxers, one per path and variant.",
      type: "gauge",
      samples: muxers(hls),
    },
    {
      name: "estuary_hls_players",
      help: "HLS players polling each muxer.",
      type: "gauge",
      samples: players(hls),
    },
    {
      name: "estuary_dash_muxers",
      help: "Live DASH segmenters, one per path.",
      type: "gauge",
      samples: muxers(dash),
    },
    {
      name: "estuary_dash_players",
      help: "DASH players polling each segmenter.",
      type: "gauge",
      samples: players(dash),
    },
  ];
}

/**
 * The front's accept loop as every listener reports it. Its table does not tell the two limits
 * apart, so one reason (`limit`: maxconns or maxconnsperip) covers both; HTTP and HTTPS count together.
 */
export function frontFamilies(s: Pick<HttpServerStats, "listener">): MetricFamily[] {
  return listenerFamilies("http", s.listener);
}
