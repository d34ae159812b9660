/** The soak's samples of the server process (from /proc), its table and its verdict. */

const TICKS = 100; // USER_HZ on Linux
const MB = 1024 * 1024;

export interface Sample {
  minute: number;
  /** RSS: the median of the minute's readings (one every RSS_EVERY_MS), so one burst does not decide it. */
  rss: number;
  /** The lowest and highest RSS reading of the minute. */
  rssMin: number;
  rssMax: number;
  /** V8 heap in use (from the server's /metrics), or -1 when unknown. */
  heap: number;
  /** Memory of ArrayBuffers outside the V8 heap (media buffers), or -1 when unknown. */
  external: number;
  fds: number;
  /** CPU used since the previous sample, in % of one core. */
  cpu: number;
  players: number;
  /** Players that have received media (RTMP/FLV/RTSP: over 4 KiB; HLS: a segment; SRT: running). */
  playing: number;
  churned: number;
  errors: number;
}

/** RSS is read this often within each minute; the row shows the minute's median and range. */
export const RSS_EVERY_MS = 5000;

export function rssOf(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

export function fdsOf(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

export function cpuSecondsOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / TICKS; // utime, stime (fields 14, 15)
}

export function header(): string {
  return "| minute | RSS (MB, median) | RSS range | heap (MB) | external (MB) | open fds | CPU (% core) | players | " +
    "playing | churned | player errors |\n" +
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
}

export function row(s: Sample): string {
  const mb = (v: number) => v < 0 ? "?" : (v / MB).toFixed(1);
  return `| ${s.minute} | ${mb(s.rss)} | ${mb(s.rssMin)}–${mb(s.rssMax)} | ${mb(s.heap)} | ${
    mb(s.external)
  } | ${s.fds} | ${s.cpu.toFixed(0)} | ${s.players} | ${s.playing} | ` +
    `${s.churned} | ${s.errors} |`;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * PASS when, after the warm-up, RSS grows less than 1 MB per 10 minutes (the least-squares slope of
 * the post-warm-up samples, so one noisy minute does not decide it) and the fd count does not grow:
 * the median of the last three samples is at most FD_TOLERANCE above the median of the first three
 * after the warm-up. The tolerance covers the players in flight at the instant of a sample (about
 * ten join and ten leave every second, each holding a socket for part of that second).
 */
export const FD_TOLERANCE = 10;

export function verdict(samples: Sample[], warmup: number): { pass: boolean; lines: string[] } {
  const after = samples.filter((s) => s.minute >= warmup);
  if (after.length < 3) {
    return {
      pass: false,
      lines: [`not enough samples after the ${warmup}-minute warm-up (${after.length})`],
    };
  }
  const rssPer10 = slope(after.map((s) => s.minute), after.map((s) => s.rss / MB)) * 10;
  const fdStart = median(after.slice(0, 3).map((s) => s.fds));
  const fdEnd = median(after.slice(-3).map((s) => s.fds));
  const rssOk = rssPer10 < 1;
  const fdOk = fdEnd - fdStart <= FD_TOLERANCE;
  const first = after[0], last = after[after.length - 1];
  return {
    pass: rssOk && fdOk,
    lines: [
      `warm-up: ${warmup} min; judged on minutes ${first.minute}..${last.minute} (${after.length} samples)`,
      `RSS: ${rssPer10 >= 0 ? "+" : ""}${rssPer10.toFixed(2)} MB per 10 min (least-squares slope; ` +
      `${(first.rss / MB).toFixed(1)} -> ${(last.rss / MB).toFixed(1)} MB) — limit < 1 MB: ` +
      (rssOk ? "ok" : "FAIL"),
      `fds: median of first 3 ${fdStart}, of last 3 ${fdEnd} (growth ${fdEnd - fdStart}, tolerance ` +
      `${FD_TOLERANCE}) — ${fdOk ? "ok" : "FAIL"}`,
      `verdict: ${rssOk && fdOk ? "PASS" : "FAIL"}`,
    ],
  };
}

/** Gauges from the server's Prometheus text: V8 heap in use and external memory, each -1 when unknown. */
export async function memoryOf(metricsUrl: string): Promise<{ heap: number; external: number }> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    const gauge = (name: string) => {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)`, "m").exec(text);
      return m ? Number(m[1]) : -1;
    };
    return { heap: gauge("nodejs_heap_size_used_bytes"), external: gauge("nodejs_external_memory_bytes") };
  } catch {
    return { heap: -1, external: -1 };
  }
}

/** The server's malloc_trim counters (src/cli/malloc_trim.ts) as one report line, if it trims. */
export async function trimLine(metricsUrl: string): Promise<string | undefined> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? NaN);
    const runs = value("estuary_malloc_trim_total");
    if (!(runs > 0)) return undefined;
    const s = value("estuary_malloc_trim_seconds_total"),
      released = value("estuary_malloc_trim_released_bytes_total");
    return `malloc_trim: ${runs} calls, ${(s * 1000 / runs).toFixed(1)} ms each on average, ` +
      `${(released / 1048576).toFixed(0)} MB of RSS given back in all`;
  } catch {
    return undefined;
  }
}

/** Least-squares slope of the heap in MB per 10 minutes after the warm-up (a line for the report). */
export function heapLine(samples: Sample[], warmup: number): string | undefined {
  const after = samples.filter((s) => s.minute >= warmup && s.heap >= 0);
  if (after.length < 3) return undefined;
  const per10 = slope(after.map((s) => s.minute), after.map((s) => s.heap / MB)) * 10;
  return `heap: ${per10 >= 0 ? "+" : ""}${per10.toFixed(2)} MB per 10 min (least-squares slope; ${
    (after[0].heap / MB).toFixed(1)
  } -> ${(after.at(-1)!.heap / MB).toFixed(1)} MB; reported beside RSS, not judged)`;
}
