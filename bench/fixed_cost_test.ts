import assert from "node:assert/strict";
import { fixedTable, median } from "./fixed_cost.ts";

Deno.test("median: middle value, mean of the two middle ones for an even count", () => {
  assert.equal(median([0.3, 0.1, 0.2]), 0.2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

Deno.test("fixedTable: one line per server with its median, rounds and the floor's reads", () => {
  const t = fixedTable([
    { server: "deno-read-floor", round: 1, cpuS: 0.13, wakeupsPerS: 50, readsPerS: 66 },
    { server: "estuary", round: 1, cpuS: 0.25, wakeupsPerS: 60 },
    { server: "deno-read-floor", round: 2, cpuS: 0.21, wakeupsPerS: 60, readsPerS: 64 },
    { server: "estuary", round: 2, cpuS: 0.21, wakeupsPerS: 62 },
  ]);
  const lines = t.split("\n");
  assert.equal(lines.length, 4);
  assert.match(lines[2], /^\| deno-read-floor \| 0\.17 \| 0\.13, 0\.21 \| 55 \| 65 \|$/);
  assert.match(lines[3], /^\| estuary \| 0\.23 \| 0\.25, 0\.21 \| 61 \| - \|$/);
});
