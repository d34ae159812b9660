/** RTMP metric families: MediaMTX's `rtmp_conns` by state, and Estuary's totals. */
import { byStateFamilies, listenerFamilies, type MetricFamily, single } from "../../metrics/mod.ts";
import type { RtmpServerStats } from "./server.ts";

export function rtmpMetrics(s: RtmpServerStats): MetricFamily[] {
  const { idle, publish, read } = s.byState;
  const counts = (c: typeof idle) => ({ count: c.conns, bytesIn: c.bytesIn, bytesOut: c.bytesOut });
  return [
    ...byStateFamilies("rtmp_conns", {
      what: "RTMP(S) connections",
      idle: "not yet publishing or playing",
      counts: { idle: counts(idle), publish: counts(publish), read: counts(read) },
    }),
    single(
      "estuary_rtmp_conns_total",
      "RTMP(S) connections accepted since the service started.",
      s.totalSessions,
    ),
    single(
      "estuary_rtmp_bytes_received_total",
      "Bytes received over RTMP(S) since the service started.",
      s.bytesIn,
    ),
    single("estuary_rtmp_bytes_sent_total", "Bytes sent over RTMP(S) since the service started.", s.bytesOut),
    ...listenerFamilies("rtmp", s.listener),
  ];
}
