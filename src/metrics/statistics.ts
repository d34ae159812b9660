/**
 * `/api/statistics` (smart_rtmpd's endpoint): the same families as `GET /metrics`, as JSON keyed by
 * metric name, so a script reads `metrics.paths_readers.samples` without parsing Prometheus text.
 */
import type { MetricFamily, MetricType } from "./family.ts";

export interface StatisticsFamily {
  type: MetricType;
  help: string;
  /** Labels as an object; a value that JSON cannot hold (NaN, ±Inf) becomes null. */
  samples: { labels: Record<string, string>; value: number | null }[];
}

export interface Statistics {
  /** When the counters were read (ISO 8601). */
  time: string;
  metrics: Record<string, StatisticsFamily>;
  /** The last failure of each collector that failed, by owner; absent when none did. */
  errors?: Record<string, string>;
}

export function toStatistics(
  families: readonly MetricFamily[],
  errors: Record<string, string> = {},
  now = new Date(),
): Statistics {
  const metrics: Record<string, StatisticsFamily> = {};
  for (const f of families) {
    metrics[f.name] = {
      type: f.type,
      help: f.help,
      samples: f.samples.map((s) => ({
        labels: { ...s.labels },
        value: Number.isFinite(s.value) ? s.value : null,
      })),
    };
  }
  const out: Statistics = { time: now.toISOString(), metrics };
  if (Object.keys(errors).length > 0) out.errors = errors;
  return out;
}
