/**
 * RTSP metric families, named as MediaMTX names them (`rtsp_conns`, `rtsp_sessions`,
 * `rtsp_sessions_bytes_*`) so its dashboards work; MediaMTX labels one series per session,
 * Estuary sums them by state.
 */
import type { MetricFamily } from "../../metrics/mod.ts";
import type { RtspServerStats, RtspSessionState, RtspStateStats } from "./server.ts";

const STATES: readonly RtspSessionState[] = ["idle", "read", "publish"];

export function rtspMetrics(s: RtspServerStats): MetricFamily[] {
  const byState = (pick: (st: RtspStateStats) => number) =>
    STATES.map((state) => ({ labels: { state }, value: pick(s.byState[state]) }));
  return [
    {
      name: "rtsp_conns",
      help: "Open RTSP(S) connections.",
      type: "gauge",
      samples: [{ value: s.openConnections }],
    },
    {
      name: "rtsp_sessions",
      help: "RTSP sessions by state (idle: set up, not playing or recording).",
      type: "gauge",
      samples: byState((st) => st.sessions),
    },
    {
      name: "rtsp_sessions_bytes_received",
      help: "Media bytes received by the open RTSP sessions, by state.",
      type: "gauge",
      samples: byState((st) => st.bytesIn),
    },
    {
      name: "rtsp_sessions_bytes_sent",
      help: "Media bytes sent by the open RTSP sessions, by state.",
      type: "gauge",
      samples: byState((st) => st.bytesOut),
    },
    {
      name: "estuary_rtsp_conns_total",
      help: "RTSP(S) connections accepted since the service started.",
      type: "counter",
      samples: [{ value: s.connections }],
    },
    {
      name: "estuary_rtsp_bytes_received_total",
      help: "Bytes received over RTSP (requests, interleaved and UDP media) since the service started.",
      type: "counter",
      samples: [{ value: s.bytesIn }],
    },
    {
      name: "estuary_rtsp_bytes_sent_total",
      help: "Bytes sent over RTSP (replies, interleaved and UDP media) since the service started.",
      type: "counter",
      samples: [{ value: s.bytesOut }],
    },
    {
      name: "estuary_rtsp_bad_packets_total",
      help: "RTP/RTCP packets from publishers that could not be parsed.",
      type: "counter",
      samples: [{ value: s.badPackets }],
    },
  ];
}
