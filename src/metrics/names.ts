/**
 * The naming rules a family must follow before it is exposed: the exposition format's grammar for
 * metric and label names, plus the `_total` rule promtool lints, so that a bad collector is caught
 * at the scrape that would have produced a broken or noisy page.
 */
import { EstuaryError } from "../core/errors.ts";
import type { MetricFamily } from "./family.ts";

/** A collector produced a family that cannot be exposed (the message names the value and the rule). */
export class MetricsError extends EstuaryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("metrics", message, options);
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "untyped"]);

/** Throws MetricsError when the family breaks a rule; returns it unchanged otherwise. */
export function checkFamily(f: MetricFamily): MetricFamily {
  if (!METRIC_NAME.test(f.name)) {
    throw new MetricsError(`metric name "${f.name}" is invalid: must match ${METRIC_NAME.source}`);
  }
  if (!TYPES.has(f.type)) {
    throw new MetricsError(`metric ${f.name} type "${f.type}" is invalid: must be counter, gauge or untyped`);
  }
  // promtool's lint: counters end in _total, nothing else does. A MediaMTX byte counter keeps its
  // name and is exposed untyped, as MediaMTX itself exposes it.
  const total = f.name.endsWith("_total");
  if (f.type === "counter" && !total) {
    throw new MetricsError(`counter ${f.name} is misnamed: a counter's name must end in _total`);
  }
  if (f.type !== "counter" && total) {
    throw new MetricsError(`${f.type} ${f.name} is misnamed: only a counter's name may end in _total`);
  }
  for (const s of f.samples) {
    if (typeof s.value !== "number") {
      throw new MetricsError(
        `metric ${f.name} value ${JSON.stringify(s.value)} is invalid: must be a number`,
      );
    }
    for (const [k, v] of Object.entries(s.labels ?? {})) {
      if (!LABEL_NAME.test(k) || k.startsWith("__")) {
        throw new MetricsError(
          `metric ${f.name} label name "${k}" is invalid: must match ${LABEL_NAME.source} and not start with __`,
        );
      }
      if (typeof v !== "string") {
        throw new MetricsError(
          `metric ${f.name} label ${k} value ${JSON.stringify(v)} is invalid: must be a string`,
        );
      }
    }
  }
  return f;
}

/** Identity of a series within its family: the label set, whatever the order of its labels. */
export function seriesKey(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return "";
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  keys.sort();
  let out = "";
  for (const k of keys) out += `${k}\u0000${labels[k]}\u0000`;
  return out;
}
