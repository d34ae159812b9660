import assert from "node:assert/strict";
import { VIA_PROPERTY, viaOf, viaValue } from "./via.ts";

Deno.test("forward chain in connect: round trip, and malformed values give what is usable", () => {
  const cases: [unknown, string[]][] = [
    [undefined, []],
    ["", []],
    [42, []],
    [viaValue(["a1b2", "c3d4"]), ["a1b2", "c3d4"]],
    ["ok,bad id,,x", ["ok", "x"]],
    [Array.from({ length: 100 }, (_, i) => `s${i}`).join(","), Array.from({ length: 65 }, (_, i) => `s${i}`)],
  ];
  for (const [value, want] of cases) {
    const o = value === undefined ? {} : { [VIA_PROPERTY]: value as string };
    assert.deepEqual(viaOf(o), want, String(value));
  }
});
