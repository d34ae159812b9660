/**
 * The metrics registry: every service registers a collector that reports typed samples when
 * scraped, so nothing is counted twice and a stopped service's metrics leave with it. `GET /metrics`
 * renders them in Prometheus text format and `/api/statistics` as JSON.
 */
import type { Collector, MetricFamily } from "./family.ts";
import { checkFamily, MetricsError, seriesKey } from "./names.ts";

export type { Collector, MetricFamily, MetricType, Sample } from "./family.ts";

/** The registry's own family: scrapes where a collector failed or broke a rule, per owner. */
export const COLLECTOR_ERRORS = "estuary_metrics_collector_errors_total";

interface CollectorError {
  count: number;
  /** The last failure's message, for /api/statistics. */
  last: string;
}

export class Metrics {
  #collectors = new Map<string, Collector>();
  #errors = new Map<string, CollectorError>();

  /** Adds (or replaces) `owner`'s collector; returns its removal. */
  register(owner: string, collect: Collector): () => void {
    this.#collectors.set(owner, collect);
    return () => {
      if (this.#collectors.get(owner) === collect) this.#collectors.delete(owner);
    };
  }

  /**
   * Every family, samples of the same name from several owners merged into one family. A family
   * that breaks a naming rule, or whose type differs from the same name's first family, is left out
   * and counted against its owner; a repeated series keeps its first sample. A collector that throws
   * costs only its own families: the scrape goes on.
   */
  collect(): MetricFamily[] {
    const byName = new Map<string, { family: MetricFamily; seen: Set<string> }>();
    for (const [owner, collect] of this.#collectors) {
      let families: MetricFamily[];
      try {
        families = collect();
      } catch (err) {
        this.#fail(owner, err);
        continue;
      }
      for (const f of families) {
        try {
          checkFamily(f);
        } catch (err) {
          this.#fail(owner, err);
          continue;
        }
        let have = byName.get(f.name);
        if (have && have.family.type !== f.type) {
          this.#fail(
            owner,
            new MetricsError(
              `metric ${f.name} from ${owner} is a ${f.type}: the name is already a ${have.family.type} (one type per name)`,
            ),
          );
          continue;
        }
        if (!have) {
          have = { family: { name: f.name, help: f.help, type: f.type, samples: [] }, seen: new Set() };
          byName.set(f.name, have);
        }
        for (const s of f.samples) {
          const key = seriesKey(s.labels);
          if (have.seen.has(key)) continue;
          have.seen.add(key);
          have.family.samples.push(s);
        }
      }
    }
    if (this.#errors.size > 0 && !byName.has(COLLECTOR_ERRORS)) {
      const samples = [...this.#errors].map(([owner, e]) => ({ labels: { owner }, value: e.count }));
      byName.set(COLLECTOR_ERRORS, {
        family: {
          name: COLLECTOR_ERRORS,
          help: "Scrapes in which a collector failed or reported a family that breaks a naming rule.",
          type: "counter",
          samples,
        },
        seen: new Set(),
      });
    }
    return [...byName.values()].map((v) => v.family);
  }

  /** The last collector failure per owner (empty when every collector behaves). */
  errors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [owner, e] of this.#errors) out[owner] = e.last;
    return out;
  }

  #fail(owner: string, err: unknown) {
    const e = this.#errors.get(owner) ?? { count: 0, last: "" };
    e.count++;
    e.last = err instanceof Error ? err.message : String(err);
    this.#errors.set(owner, e);
  }
}
