import assert from "node:assert/strict";
import { ceilings, workersTable } from "./workers_report.ts";
import type { Result } from "./types.ts";

const r = (peer: string, n: number, share: number, cpuPerGbit: number): Result => ({
  peer,
  proto: "rtmp",
  profile: "600k",
  n,
  connected: n,
  started: n,
  dropped: 0,
  errors: [],
  window_s: 10,
  min_share: share,
  delivered_gbit: 1,
  cpu_s: cpuPerGbit,
  cpu_per_gbit: cpuPerGbit,
  rss_growth_per_player_kb: 40,
  peak_rss_mb: 100,
  cpu_by_process: [3, 2.5],
  core_busy: [90, 85],
});

Deno.test("workers report: the ceiling is the largest level at ≥ 99 %; ratios against 1 worker", () => {
  const results = [
    r("estuary", 500, 1, 2),
    r("estuary", 1000, 0.95, 2),
    r("estuary-2w", 500, 1, 2.2),
    r("estuary-2w", 1000, 0.995, 2.1),
  ];
  assert.deepEqual([...ceilings(results)], [["estuary rtmp", 500], ["estuary-2w rtmp", 1000]]);
  const t = workersTable(results);
  assert.match(
    t,
    /\| rtmp \| 500 \| 2\.000 \| 2\.200 \| 1\.10× \| 100\.0 \/ 100\.0 % \| 3\.0 \+ 2\.5 \| 90 \/ 85 \|/,
  );
  assert.match(t, /- estuary-2w rtmp: 1000/);
  assert.equal(workersTable([r("estuary", 500, 1, 2)]), "");
});
