/** What a collector reports: typed families of samples, rendered as Prometheus text or JSON. */

/**
 * `untyped` is for MediaMTX's byte counters (`paths_inbound_bytes`): they count up, but their names
 * have no `_total`, and MediaMTX exposes them without a type; a `counter` must end in `_total`.
 */
export type MetricType = "counter" | "gauge" | "untyped";

export interface Sample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  /** Prometheus name: MediaMTX's where the meaning is the same (`paths`, `rtmp_conns`), else `estuary_…`. */
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** Called at every scrape; must be cheap and synchronous. */
export type Collector = () => MetricFamily[];
