/** SRT metric families: MediaMTX's `srt_conns` by state, transport health and Estuary's totals. */
import { byStateFamilies, type MetricFamily, single } from "../../metrics/mod.ts";
import type { SrtServerStats } from "./server.ts";

export function srtMetrics(s: SrtServerStats): MetricFamily[] {
  const { idle, publish, read } = s.byState;
  const counts = (c: typeof idle) => ({ count: c.conns, bytesIn: c.bytesIn, bytesOut: c.bytesOut });
  let lost = 0, retransmits = 0;
  for (const e of s.list) {
    lost += e.recv.lost;
    retransmits += e.send.retransmits;
  }
  return [
    ...byStateFamilies("srt_conns", {
      what: "SRT connections",
      idle: "handshake under way",
      counts: { idle: counts(idle), publish: counts(publish), read: counts(read) },
    }),
    single("estuary_srt_packets_lost", "Packets the open SRT connections found missing on receipt.", lost),
    single("estuary_srt_packets_retransmitted", "Packets the open SRT connections sent again.", retransmits),
    single(
      "estuary_srt_handshakes_total",
      "SRT conclusion handshakes handled since the service started.",
      s.handshakes,
    ),
    single("estuary_srt_rejected_total", "SRT callers rejected since the service started.", s.rejected),
    single("estuary_srt_bad_packets_total", "SRT datagrams that could not be parsed.", s.badPackets),
  ];
}
