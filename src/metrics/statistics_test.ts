import assert from "node:assert/strict";
import { toStatistics } from "./statistics.ts";

Deno.test("statistics key the families by name, with plain label objects and JSON-safe values", () => {
  const now = new Date("2026-01-02T03:04:05.000Z");
  const got = toStatistics(
    [
      {
        name: "paths",
        help: "Live.",
        type: "gauge",
        samples: [{ labels: { name: "live/a", state: "ready" }, value: 1 }],
      },
      { name: "estuary_streams", help: "S.", type: "gauge", samples: [{ value: NaN }] },
    ],
    {},
    now,
  );
  assert.deepEqual(got, {
    time: "2026-01-02T03:04:05.000Z",
    metrics: {
      paths: {
        type: "gauge",
        help: "Live.",
        samples: [{ labels: { name: "live/a", state: "ready" }, value: 1 }],
      },
      estuary_streams: { type: "gauge", help: "S.", samples: [{ labels: {}, value: null }] },
    },
  });
  assert.deepEqual(toStatistics([], { rtmp: "boom" }, now).errors, { rtmp: "boom" });
});
