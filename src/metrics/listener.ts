/**
 * The families every TCP listener reports about its accept loop: connections open now, connections
 * refused by a limit (by reason: the config element that refused them) and failed accepts. One name
 * per family across protocols, told apart by the `listener` label, so one alert covers every port.
 */
import type { MetricFamily } from "./family.ts";

/** What an accept loop counts since its service started. */
export interface ListenerCounters {
  open: number;
  /** Refusals by reason, e.g. `{ maxconns: 3, maxconnsperip: 0, fds: 0 }`. */
  refused: Readonly<Record<string, number>>;
  /** Failed accepts (EMFILE, ENFILE…); undefined where the loop does not count them. */
  acceptErrors?: number;
}

export function listenerFamilies(listener: string, c: ListenerCounters): MetricFamily[] {
  const families: MetricFamily[] = [
    {
      name: "estuary_listener_conns",
      help: "Connections open on a listener (plain and TLS together).",
      type: "gauge",
      samples: [{ labels: { listener }, value: c.open }],
    },
    {
      name: "estuary_listener_refused_total",
      help: "Connections closed at accept by a limit, by reason (the config element that refused them).",
      type: "counter",
      samples: Object.entries(c.refused).map(([reason, value]) => ({ labels: { listener, reason }, value })),
    },
  ];
  if (c.acceptErrors !== undefined) {
    families.push({
      name: "estuary_listener_accept_errors_total",
      help: "Accepts that failed (e.g. out of descriptors) and were retried after a back-off.",
      type: "counter",
      samples: [{ labels: { listener }, value: c.acceptErrors }],
    });
  }
  return families;
}
