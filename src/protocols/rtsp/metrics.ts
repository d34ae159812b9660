/** RTSP metric families: MediaMTX's `rtsp_conns` and `rtsp_sessions` by state, and Estuary's totals. */
import { byStateFamilies, listenerFamilies, type MetricFamily, single } from "../../metrics/mod.ts";
import type { RtspServerStats } from "./server.ts";

export function rtspMetrics(s: RtspServerStats): MetricFamily[] {
  const { idle, publish, read } = s.byState;
  const counts = (c: typeof idle) => ({ count: c.sessions, bytesIn: c.bytesIn, bytesOut: c.bytesOut });
  return [
    single("rtsp_conns", "Open RTSP(S) connections.", s.openConnections),
    ...byStateFamilies("rtsp_sessions", {
      what: "RTSP sessions",
      idle: "set up, not playing or recording",
      counts: { idle: counts(idle), publish: counts(publish), read: counts(read) },
    }),
    single(
      "estuary_rtsp_conns_total",
      "RTSP(S) connections accepted since the service started.",
      s.connections,
    ),
    single("estuary_rtsp_bytes_received_total", "Bytes received over RTSP (requests and media).", s.bytesIn),
    single("estuary_rtsp_bytes_sent_total", "Bytes sent over RTSP (replies and media).", s.bytesOut),
    single(
      "estuary_rtsp_bad_packets_total",
      "RTP/RTCP packets from publishers that could not be parsed.",
      s.badPackets,
    ),
    ...listenerFamilies("rtsp", s.listener),
  ];
}
