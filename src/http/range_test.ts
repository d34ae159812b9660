import assert from "node:assert/strict";
import { parseRange, type RangeResult } from "./range.ts";

Deno.test("parseRange: one range, suffixes, open ends, ignored and unsatisfiable forms", () => {
  const cases: [string | null, number, RangeResult][] = [
    [null, 100, { kind: "full" }],
    ["bytes=0-9", 100, { kind: "partial", start: 0, end: 9 }],
    ["bytes=90-", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=90-500", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=-10", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=-500", 100, { kind: "partial", start: 0, end: 99 }],
    ["BYTES = 5 - 5", 100, { kind: "partial", start: 5, end: 5 }],
    ["bytes=100-", 100, { kind: "unsatisfiable" }],
    ["bytes=200-300", 100, { kind: "unsatisfiable" }],
    ["bytes=-0", 100, { kind: "unsatisfiable" }],
    ["bytes=0-", 0, { kind: "unsatisfiable" }],
    ["bytes=9-1", 100, { kind: "full" }],
    ["bytes=0-1,5-6", 100, { kind: "full" }],
    ["items=0-1", 100, { kind: "full" }],
    ["bytes=-", 100, { kind: "full" }],
    ["bytes=abc", 100, { kind: "full" }],
  ];
  for (const [h, size, want] of cases) assert.deepEqual(parseRange(h, size), want, `${h} / ${size}`);
});
