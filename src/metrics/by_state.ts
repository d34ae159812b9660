/**
 * The families every protocol reports about its open connections or sessions, named as MediaMTX
 * names them (`rtmp_conns`, `rtsp_sessions`, `srt_conns` and their `_bytes_received` / `_bytes_sent`)
 * so its dashboards work. MediaMTX labels one series per connection; Estuary sums them by state.
 */
import type { MetricFamily } from "./family.ts";

export type ConnState = "idle" | "publish" | "read";

/** How many are open in a state, and the bytes they moved. */
export interface StateCounts {
  count: number;
  bytesIn: number;
  bytesOut: number;
}

const STATES: readonly ConnState[] = ["idle", "publish", "read"];

/**
 * `base` (e.g. "rtmp_conns") by state, and its byte gauges. `what` names them in the help text, `idle`
 * says what idle means for this protocol.
 */
export function byStateFamilies(
  base: string,
  o: { what: string; idle: string; counts: Readonly<Record<ConnState, StateCounts>> },
): MetricFamily[] {
  const samples = (pick: (c: StateCounts) => number) =>
    STATES.map((state) => ({ labels: { state }, value: pick(o.counts[state]) }));
  return [
    {
      name: base,
      help: `${o.what} by state (idle: ${o.idle}).`,
      type: "gauge",
      samples: samples((c) => c.count),
    },
    {
      name: `${base}_bytes_received`,
      help: `Bytes received by the open ${o.what}, by state.`,
      type: "gauge",
      samples: samples((c) => c.bytesIn),
    },
    {
      name: `${base}_bytes_sent`,
      help: `Bytes sent by the open ${o.what}, by state.`,
      type: "gauge",
      samples: samples((c) => c.bytesOut),
    },
  ];
}

/** One unlabelled counter or gauge. */
export function single(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: name.endsWith("_total") ? "counter" : "gauge", samples: [{ value }] };
}
