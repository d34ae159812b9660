import assert from "node:assert/strict";
import { DtsExtractor } from "./dts.ts";

// pts in decode order (units of one frame = 3000 ticks)
const cases: [string, number, number[]][] = [
  ["no reordering", 0, [0, 1, 2, 3, 4, 5]],
  ["IPBB", 2, [0, 3, 1, 2, 6, 4, 5, 9, 7, 8]],
  ["pyramid IPBbB", 3, [0, 4, 2, 1, 3, 8, 6, 5, 7, 12, 10, 9, 11]],
  ["depth larger than needed", 4, [0, 2, 1, 4, 3, 6, 5]],
];

for (const [name, depth, order] of cases) {
  Deno.test(`dts: ${name}`, () => {
    const x = new DtsExtractor<{ pts: number; dts: number }>(depth);
    const out: { pts: number; dts: number }[] = [];
    for (const p of order) x.push({ pts: 45000 + p * 3000, dts: 0 }, out);
    x.flush(out);
    assert.deepEqual(out.map((f) => f.pts), order.map((p) => 45000 + p * 3000), "order kept");
    for (let i = 0; i < out.length; i++) {
      assert.ok(out[i].dts <= out[i].pts, `dts ${out[i].dts} <= pts ${out[i].pts} at ${i}`);
      if (i > 0) assert.ok(out[i].dts > out[i - 1].dts, `dts increases at ${i}`);
    }
    if (depth > 0 && order.length > depth + 2) {
      // Steady state: decode times are one frame apart.
      assert.equal(out[depth + 1].dts - out[depth].dts, 3000);
    }
  });
}
