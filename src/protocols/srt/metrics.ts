/**
 * SRT metric families, named as MediaMTX names them (`srt_conns`, `srt_conns_bytes_*`) so its
 * dashboards work; MediaMTX labels one series per connection, Estuary sums them by state.
 */
import type { MetricFamily } from "../../metrics/mod.ts";
import type { SrtConnState, SrtServerStats, SrtStateStats } from "./server.ts";

const STATES: readonly SrtConnState[] = ["idle", "read", "publish"];

export function srtMetrics(s: SrtServerStats): MetricFamily[] {
  const byState = (pick: (st: SrtStateStats) => number) =>
    STATES.map((state) => ({ labels: { state }, value: pick(s.byState[state]) }));
  let lost = 0, retransmits = 0;
  for (const e of s.list) {
    lost += e.recv.lost;
    retransmits += e.send.retransmits;
  }
  return [
    {
      name: "srt_conns",
      help: "SRT connections by state (idle: handshake under way).",
      type: "gauge",
      samples: byState((st) => st.conns),
    },
    {
      name: "srt_conns_bytes_received",
      help: "Payload bytes received on the open SRT connections, by state.",
      type: "gauge",
      samples: byState((st) => st.bytesIn),
    },
    {
      name: "srt_conns_bytes_sent",
      help: "Payload bytes sent on the open SRT connections, by state.",
      type: "gauge",
      samples: byState((st) => st.bytesOut),
    },
    {
      name: "estuary_srt_packets_lost",
      help: "Packets the open SRT connections found missing on receipt.",
      type: "gauge",
      samples: [{ value: lost }],
    },
    {
      name: "estuary_srt_packets_retransmitted",
      help: "Packets the open SRT connections sent again.",
      type: "gauge",
      samples: [{ value: retransmits }],
    },
    {
      name: "estuary_srt_handshakes_total",
      help: "SRT conclusion handshakes handled since the service started.",
      type: "counter",
      samples: [{ value: s.handshakes }],
    },
    {
      name: "estuary_srt_rejected_total",
      help: "SRT callers rejected since the service started.",
      type: "counter",
      samples: [{ value: s.rejected }],
    },
    {
      name: "estuary_srt_bad_packets_total",
      help: "SRT datagrams that could not be parsed since the service started.",
      type: "counter",
      samples: [{ value: s.badPackets }],
    },
  ];
}
