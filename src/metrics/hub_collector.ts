/**
 * The hub's metrics: one `paths` series per live stream with MediaMTX's names (so its dashboards
 * work), Estuary's own counters under `estuary_`, and the periodic drop summaries in the log.
 * Per-protocol families (rtmp_conns, rtsp_sessions, srt_conns, hls_muxers) come from the services.
 */
import { type DropReason, type Hub, RELAY_PLAYER, type Stream } from "../core/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { MetricFamily, Sample } from "./family.ts";
import type { Metrics } from "./registry.ts";
import { DropLog } from "./drop_log.ts";
import { processFamilies } from "./process_collector.ts";

export interface HubMetricsOptions {
  hub: Hub;
  log: Logger;
  startedAt: Date;
  /** Drop summary timing (tests shorten it); see DropLog. */
  dropLog?: { intervalMs?: number; firstDelayMs?: number };
}

const REASONS: readonly DropReason[] = ["reader_queue", "player_backlog"];

/** MediaMTX's path states: `ready` once the stream's tracks are known. */
function pathLabels(s: Stream): Record<string, string> {
  return { name: s.key, state: s.isTracksReady ? "ready" : "notReady" };
}

function readers(s: Stream): number {
  let n = 0;
  for (const [proto, count] of s.players) if (proto !== RELAY_PLAYER) n += count;
  return n;
}

/** The families of the hub's streams at this instant. */
export function hubFamilies(hub: Hub, startedAt: Date, now = Date.now()): MetricFamily[] {
  const streams = hub.streams();
  const paths: Sample[] = [], readerCounts: Sample[] = [], inBytes: Sample[] = [], outBytes: Sample[] = [];
  const inFrames: Sample[] = [], droppedFrames: Sample[] = [], droppedBytes: Sample[] = [];
  for (const s of streams) {
    const labels = pathLabels(s);
    paths.push({ labels, value: 1 });
    readerCounts.push({ labels, value: readers(s) });
    inBytes.push({ labels, value: s.stats.bytesIn });
    outBytes.push({ labels, value: s.stats.bytesOut });
    inFrames.push({ labels: { path: s.key }, value: s.stats.framesIn });
    for (const reason of REASONS) {
      const d = s.stats.dropped[reason];
      droppedFrames.push({ labels: { path: s.key, reason }, value: d.frames });
      droppedBytes.push({ labels: { path: s.key, reason }, value: d.bytes });
    }
  }
  return [
    {
      name: "paths",
      type: "gauge",
      help: "Live streams (app/name), 1 each; state is ready once its tracks are known.",
      samples: paths,
    },
    {
      name: "paths_readers",
      type: "gauge",
      help: "Players of the stream, across protocols.",
      samples: readerCounts,
    },
    {
      name: "paths_inbound_bytes",
      type: "untyped",
      help: "Media bytes received from the stream's publisher (counts up; MediaMTX's name).",
      samples: inBytes,
    },
    {
      name: "paths_outbound_bytes",
      type: "untyped",
      help:
        "Bytes handed to the stream's FLV, RTMP, RTSP and SRT players and its HLS/DASH media served (counts up; MediaMTX's name).",
      samples: outBytes,
    },
    {
      name: "estuary_inbound_frames_total",
      type: "counter",
      help: "Media frames received from the stream's publisher.",
      samples: inFrames,
    },
    {
      name: "estuary_frames_dropped_total",
      type: "counter",
      help: "Frames lost to consumers that fell behind: reader_queue (an output's queue) or " +
        "player_backlog (a player's socket did not drain).",
      samples: droppedFrames,
    },
    {
      name: "estuary_bytes_dropped_total",
      type: "counter",
      help:
        "Media bytes lost to consumers that fell behind, by the same reasons as estuary_frames_dropped_total.",
      samples: droppedBytes,
    },
    { name: "estuary_streams", type: "gauge", help: "Live streams.", samples: [{ value: streams.length }] },
    {
      name: "estuary_uptime_seconds",
      type: "gauge",
      help: "Seconds since the server started.",
      samples: [{ value: Math.max(0, now - startedAt.getTime()) / 1000 }],
    },
  ];
}

/** Registers the hub's collector and starts the drop log; returns their removal. */
export function registerHubMetrics(metrics: Metrics, opts: HubMetricsOptions): () => void {
  const unregister = metrics.register("hub", () => hubFamilies(opts.hub, opts.startedAt));
  const unregisterProcess = metrics.register("process", () => processFamilies(opts.startedAt));
  const drops = new DropLog({ hub: opts.hub, log: opts.log, ...opts.dropLog });
  return () => {
    unregister();
    unregisterProcess();
    drops.close();
  };
}
