/**
 * RTMP metric families, named as MediaMTX names them (`rtmp_conns`, `rtmp_conns_bytes_*`) so its
 * dashboards work; MediaMTX labels one series per connection, Estuary sums them by state.
 */
import type { MetricFamily } from "../../metrics/mod.ts";
import type { RtmpConnState, RtmpServerStats } from "./server.ts";

const STATES: readonly RtmpConnState[] = ["idle", "publish", "read"];

export function rtmpMetrics(s: RtmpServerStats): MetricFamily[] {
  const byState = (pick: (st: RtmpServerStats["byState"][RtmpConnState]) => number) =>
    STATES.map((state) => ({ labels: { state }, value: pick(s.byState[state]) }));
  return [
    {
      name: "rtmp_conns",
      help: "Open RTMP(S) connections by state (idle: not yet publishing or playing).",
      type: "gauge",
      samples: byState((st) => st.conns),
    },
    {
      name: "rtmp_conns_bytes_received",
      help: "Bytes received on the open RTMP(S) connections, by state.",
      type: "gauge",
      samples: byState((st) => st.bytesIn),
    },
    {
      name: "rtmp_conns_bytes_sent",
      help: "Bytes sent on the open RTMP(S) connections, by state.",
      type: "gauge",
      samples: byState((st) => st.bytesOut),
    },
    {
      name: "estuary_rtmp_conns_total",
      help: "RTMP(S) connections accepted since the service started.",
      type: "counter",
      samples: [{ value: s.totalSessions }],
    },
    {
      name: "estuary_rtmp_bytes_received_total",
      help: "Bytes received on every RTMP(S) connection since the service started.",
      type: "counter",
      samples: [{ value: s.bytesIn }],
    },
    {
      name: "estuary_rtmp_bytes_sent_total",
      help: "Bytes sent on every RTMP(S) connection since the service started.",
      type: "counter",
      samples: [{ value: s.bytesOut }],
    },
  ];
}
