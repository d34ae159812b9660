/**
 * Prometheus text exposition format 0.0.4: per family a `# HELP` and a `# TYPE` line, then its
 * samples, one line each. Families come from Metrics.collect(), which has already merged them by
 * name, checked the names and removed repeated series.
 */
import type { MetricFamily, Sample } from "./family.ts";

export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A label value between double quotes: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : `\\${c}`);
}

/** HELP text: backslash and line feed are escaped (a double quote is not, in this format). */
export function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => c === "\n" ? "\\n" : "\\\\");
}

/** A sample value as the format spells it: `NaN`, `+Inf`, `-Inf`, or a Go-parsable float. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function sampleLine(name: string, s: Sample): string {
  const labels = s.labels ? Object.entries(s.labels) : [];
  if (labels.length === 0) return `${name} ${formatValue(s.value)}\n`;
  let out = `${name}{`;
  for (let i = 0; i < labels.length; i++) {
    const [k, v] = labels[i];
    out += `${i ? "," : ""}${k}="${escapeLabelValue(v)}"`;
  }
  return `${out}} ${formatValue(s.value)}\n`;
}

/** The whole page. A family with no samples is left out (a vector with no series yet). */
export function renderText(families: readonly MetricFamily[]): string {
  let out = "";
  for (const f of families) {
    if (f.samples.length === 0) continue;
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += sampleLine(f.name, s);
  }
  return out;
}
