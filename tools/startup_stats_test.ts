import assert from "node:assert/strict";
import { median, parseMetric, parseStartupLine, percentile } from "./startup_stats.ts";

Deno.test("parseStartupLine reads main.ts's startup marks and ignores other lines", () => {
  const line =
    "2026-12-07T05:27:02.206Z INFO  startup origin_ms=1796621222006.4 modules_ms=180.2 main_ms=201.5 listening_ms=240.9";
  assert.deepEqual(parseStartupLine(line), {
    origin: 1796621222006.4,
    modules_ms: 180.2,
    main_ms: 201.5,
    listening_ms: 240.9,
  });
  assert.equal(parseStartupLine("2026-12-07T05:27:02.206Z INFO  estuary started root=/tmp"), null);
  assert.throws(() => parseStartupLine("2026-12-07T05:27:02.206Z INFO  startup main_ms=1"), /origin_ms/);
});

Deno.test("parseMetric finds an unlabelled sample and names a missing one", () => {
  const text = "# HELP x y\n# TYPE nodejs_heap_size_used_bytes gauge\nnodejs_heap_size_used_bytes 1.5e+7\n";
  assert.equal(parseMetric(text, "nodejs_heap_size_used_bytes"), 15_000_000);
  assert.throws(() => parseMetric(text, "nodejs_heap_size_total_bytes"), /nodejs_heap_size_total_bytes/);
});

Deno.test("median and percentile", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
  assert.equal(percentile([7], 0.9), 7);
  assert.throws(() => median([]), /no values/);
});
