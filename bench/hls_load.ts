/**
 * HLS load generator process: N pollers (bench/hls_players.ts) on one playlist URL in one event loop,
 * spread over the first target duration, then a warm-up and a measured window. Prints one JSON line
 * per phase on stdout, like load.ts: {"phase":"measuring"} when the window starts and
 * {"phase":"done", ...} with the requests and bytes in the window.
 * Usage: hls_load.ts --url URL --n N --spread-ms MS --warmup S --seconds S
 */
import { hlsPoller, type PollerStats } from "./hls_players.ts";
import { arg } from "./args.ts";
import { windowSummary } from "./players.ts";

const url = new URL(arg("url"));
const n = Number(arg("n"));
const spreadMs = Number(arg("spread-ms", "2000"));
const warmup = Number(arg("warmup", "5"));
const seconds = Number(arg("seconds", "20"));
const ac = new AbortController();
const stats: PollerStats[] = [];
const runs: Promise<void>[] = [];

for (let i = 0; i < n; i++) {
  const s: PollerStats = {
    bytes: 0,
    requests: 0,
    failures: 0,
    connected: false,
    started: false,
    error: "",
    closed: false,
  };
  stats.push(s);
  runs.push(hlsPoller(url, s, ac.signal, (i * spreadMs) / n));
}
await new Promise((r) => setTimeout(r, warmup * 1000));
const bytes0 = stats.map((s) => s.bytes), req0 = stats.map((s) => s.requests);
const fail0 = stats.reduce((a, s) => a + s.failures, 0);
const t0 = performance.now();
console.log(JSON.stringify({ phase: "measuring" }));
await new Promise((r) => setTimeout(r, seconds * 1000));
const t1 = performance.now();
const out = {
  ...windowSummary(stats, bytes0, t0, t1),
  requests: stats.reduce((a, s, i) => a + s.requests - req0[i], 0),
  failures: stats.reduce((a, s) => a + s.failures, 0) - fail0,
};
console.log(JSON.stringify(out));
ac.abort();
await Promise.allSettled(runs);
Deno.exit(0);
