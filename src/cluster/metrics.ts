/** Forward metric families: forwards by state, and totals of bytes pushed and reconnect attempts. */
import { type MetricFamily, single } from "../metrics/mod.ts";
import type { ForwardsStats } from "./forwards.ts";

const STATES = ["connecting", "forwarding", "retrying"] as const;

export function forwardMetrics(s: ForwardsStats): MetricFamily[] {
  const count = (state: string) => s.forwards.filter((f) => f.state === state).length;
  return [
    {
      name: "estuary_forwards",
      help:
        "Forwards to other servers (policy.xml) by state (retrying: refused or dropped, retried every <cluster><reconnect> s).",
      type: "gauge",
      samples: STATES.map((state) => ({ labels: { state }, value: count(state) })),
    },
    single(
      "estuary_forward_bytes_sent_total",
      "Bytes sent to forward targets since the service started.",
      s.bytesSent,
    ),
    single(
      "estuary_forward_reconnects_total",
      "Reconnect attempts to forward targets since the service started.",
      s.reconnects,
    ),
  ];
}
