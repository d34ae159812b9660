/** Parsing and statistics for `deno task startup` (tools/startup.ts). */

export interface StartupLine {
  /** The child's time origin, epoch ms. */
  origin: number;
  modules_ms: number;
  main_ms: number;
  listening_ms: number;
}

/** main.ts's "startup" log line (`… INFO  startup origin_ms=… modules_ms=… main_ms=… listening_ms=…`), or null. */
export function parseStartupLine(line: string): StartupLine | null {
  if (!/\bINFO\s+startup\s/.test(line)) return null;
  const field = (name: string) => {
    const m = new RegExp(`\\b${name}=([0-9.]+)`).exec(line);
    if (!m) throw new Error(`startup line has no ${name}: ${line}`);
    return Number(m[1]);
  };
  return {
    origin: field("origin_ms"),
    modules_ms: field("modules_ms"),
    main_ms: field("main_ms"),
    listening_ms: field("listening_ms"),
  };
}

/** The value of an unlabelled metric in Prometheus text; throws when it is missing. */
export function parseMetric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{\\})? ([0-9.eE+-]+)$`, "m").exec(text);
  if (!m) throw new Error(`metric ${name} is missing from /metrics`);
  return Number(m[1]);
}

/** The nearest-rank percentile (q in 0..1) of a non-empty list. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) throw new Error("percentile of no values");
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** The median (the mean of the two middle values for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
