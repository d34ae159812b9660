import assert from "node:assert/strict";
import { PortWindows } from "./ports.ts";

Deno.test("port windows: disjoint, round-robin, given back, exhausted → undefined", () => {
  const p = new PortWindows(30000, 30011, 4);
  assert.equal(p.count, 3);
  const a = p.take(), b = p.take(), c = p.take();
  assert.deepEqual([a, b, c], [[30000, 30003], [30004, 30007], [30008, 30011]]);
  assert.equal(p.take(), undefined);
  p.give(b!);
  p.give(b!); // idempotent
  assert.equal(p.inUse, 2);
  assert.deepEqual(p.take(), [30004, 30007]);
  // A window always has two ports: werift wants min < max.
  assert.equal(new PortWindows(1000, 1009, 1).size, 2);
});
