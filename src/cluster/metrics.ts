/** Cluster metric families: forwards (by state, bytes pushed, reconnect attempts) and static pulls. */
import { type MetricFamily, single } from "../metrics/mod.ts";
import type { ForwardsStats } from "./forwards.ts";
import type { PullStats } from "./pulls.ts";

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

const PULL_STATES = ["idle", "connecting", "pulling", "retrying", "stopped"] as const;

/** Static pull metric families: pulls by state, and restarts of always-on pulls whose source failed or ended. */
export function pullMetrics(pulls: PullStats[]): MetricFamily[] {
  return [
    {
      name: "estuary_pulls",
      help:
        "Static pulls (policy.xml <pulls>) by state (idle: on-demand with no player; retrying: the source failed or ended, retried every <cluster><reconnect> s).",
      type: "gauge",
      samples: PULL_STATES.map((state) => ({
        labels: { state },
        value: pulls.filter((p) => p.state === state).length,
      })),
    },
    single(
      "estuary_pull_restarts_total",
      "Restarts of always-on pulls after their source failed or ended, since the service started.",
      pulls.reduce((n, p) => n + p.restarts, 0),
    ),
  ];
}
