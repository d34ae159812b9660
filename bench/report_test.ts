import assert from "node:assert/strict";
import { formatTable, playersCpuPerGbit } from "./report.ts";
import type { Result } from "./types.ts";

const row = (peer: string, cpu: number, loader: number | undefined): Result => ({
  proto: "rtmp",
  profile: "600k",
  n: 100,
  peer,
  connected: 100,
  started: 100,
  dropped: 0,
  errors: [],
  window_s: 20,
  min_share: 0.99,
  loader_cpu_share: loader,
  delivered_gbit: 1.2,
  cpu_s: cpu,
  cpu_per_gbit: cpu / 1.2,
  rss_growth_per_player_kb: 30,
  anon_growth_per_player_kb: 25,
  peak_rss_mb: 70,
});

Deno.test("playersCpuPerGbit: the load generator's CPU over the window per delivered gigabit", () => {
  // 0.045 of a core for 20 s = 0.9 s, over 1.2 Gbit.
  assert.equal(playersCpuPerGbit(row("estuary", 1, 0.045)).toFixed(3), "0.750");
  assert.ok(Number.isNaN(playersCpuPerGbit(row("estuary", 1, undefined))));
  assert.ok(Number.isNaN(playersCpuPerGbit({ ...row("estuary", 1, 0.05), delivered_gbit: 0 })));
});

Deno.test("formatTable: the players' CPU beside the server's, and the ratio of the servers' own CPU", () => {
  const t = formatTable([row("estuary", 0.9, 0.03), row("nginx-rtmp", 1.2, 0.06)], [], [], { mode: "test" });
  const lines = t.split("\n");
  const est = lines.find((l) => l.startsWith("| estuary | rtmp"))!;
  assert.match(est, /\| 0\.750 \| 0\.500 \| 30\.0 \| 25\.0 \| 70 \|$/);
  const nginx = lines.find((l) => l.startsWith("| nginx-rtmp | rtmp"))!;
  assert.match(nginx, /\| 1\.000 \| 1\.000 \| 30\.0 \|/);
  assert.ok(lines.some((l) => l === "| rtmp | 600k | 100 | 0.75× |"));
});
