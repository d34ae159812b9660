/**
 * The metrics registry: every service registers a collector that reports typed samples when
 * scraped, so nothing is counted twice and a stopped service's metrics leave with it. `GET /metrics`
 * renders them in Prometheus text format and `/api/statistics` as JSON.
 */

export type MetricType = "counter" | "gauge";

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

export class Metrics {
  #collectors = new Map<string, Collector>();

  /** Adds (or replaces) `owner`'s collector; returns its removal. */
  register(owner: string, collect: Collector): () => void {
    this.#collectors.set(owner, collect);
    return () => {
      if (this.#collectors.get(owner) === collect) this.#collectors.delete(owner);
    };
  }

  /** Every family, samples of the same name from several owners merged into one family. */
  collect(): MetricFamily[] {
    const byName = new Map<string, MetricFamily>();
    for (const collect of this.#collectors.values()) {
      for (const f of collect()) {
        const have = byName.get(f.name);
        if (have) have.samples.push(...f.samples);
        else byName.set(f.name, { ...f, samples: [...f.samples] });
      }
    }
    return [...byName.values()];
  }
}
