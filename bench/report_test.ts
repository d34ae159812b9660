import assert from "node:assert/strict";
import { formatTable, medianRounds, playersCpuPerGbit } from "./report.ts";
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

Deno.test("medianRounds: per server and level, the round with the median CPU per gigabit, whole", () => {
  const runs = [
    { ...row("estuary", 1.2, 0.03), rss_growth_per_player_kb: 1 },
    { ...row("nginx-rtmp", 1.0, 0.05) },
    { ...row("estuary", 0.9, 0.03), rss_growth_per_player_kb: 2 },
    { ...row("estuary", 1.0, 0.03), rss_growth_per_player_kb: 3 },
    { ...row("estuary", 1.0, 0.03), n: 500, rss_growth_per_player_kb: 4 },
  ];
  const rows = medianRounds(runs);
  assert.deepEqual(rows.map((r) => [r.peer, r.n, r.cpu_s, r.rss_growth_per_player_kb]), [
    ["estuary", 100, 1.0, 3],
    ["nginx-rtmp", 100, 1.0, 30],
    ["estuary", 500, 1.0, 4],
  ]);
  // Two rounds: the lower of the middle two.
  assert.equal(medianRounds([row("estuary", 1.2, 0), row("estuary", 0.8, 0)])[0].cpu_s, 0.8);
});
