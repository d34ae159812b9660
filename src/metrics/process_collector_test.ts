import assert from "node:assert/strict";
import { processFamilies } from "./process_collector.ts";

Deno.test("process families: CPU seconds (without node:process), RSS, start time and the V8 heap", () => {
  const started = new Date(Date.now() - 1000);
  const end = Date.now() + 30;
  while (Date.now() < end) { /* spend some CPU */ }
  const byName = new Map(processFamilies(started).map((f) => [f.name, f]));
  const cpu = byName.get("process_cpu_seconds_total");
  assert.equal(cpu?.type, "counter");
  assert.ok(cpu!.samples[0].value > 0.01, `cpu ${cpu!.samples[0].value} s`);
  assert.ok(byName.get("process_resident_memory_bytes")!.samples[0].value > 1e6);
  assert.ok(byName.get("nodejs_heap_size_used_bytes")!.samples[0].value > 1e5);
  assert.equal(byName.get("process_start_time_seconds")!.samples[0].value, started.getTime() / 1000);
});
