/**
 * Load generator process: opens N players on one URL in one event loop, waits for a warm-up, then
 * measures the bytes each player receives over a window. Prints one JSON line per phase on stdout:
 *   {"phase":"measuring"}  when the window starts (the parent samples the server's CPU then)
 *   {"phase":"done", ...}  with the per-player figures.
 * Usage: load.ts --proto rtmp|flv --url URL --n N --warmup S --seconds S
 */
import { flvPlayer, type PlayerStats, rtmpPlayer, windowSummary } from "./players.ts";
import { arg } from "./args.ts";

const proto = arg("proto");
const url = new URL(arg("url"));
const n = Number(arg("n"));
const warmup = Number(arg("warmup", "5"));
const seconds = Number(arg("seconds", "20"));
const ac = new AbortController();
const stats: PlayerStats[] = [];
const runs: Promise<void>[] = [];
const play = proto === "rtmp" ? rtmpPlayer : flvPlayer;

// Ramp up in batches so the accept queue does not overflow.
for (let i = 0; i < n; i++) {
  const s: PlayerStats = { bytes: 0, connected: false, started: false, error: "", closed: false };
  stats.push(s);
  runs.push(play(url, s, ac.signal));
  if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => setTimeout(r, warmup * 1000));
const before = stats.map((s) => s.bytes);
const t0 = performance.now();
console.log(JSON.stringify({ phase: "measuring" }));
await new Promise((r) => setTimeout(r, seconds * 1000));
const t1 = performance.now();
const out = windowSummary(stats, before, t0, t1);
console.log(JSON.stringify(out));
ac.abort();
await Promise.allSettled(runs);
Deno.exit(0);
