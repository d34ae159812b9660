import assert from "node:assert/strict";
import { byStateFamilies, single } from "./by_state.ts";
import { checkFamily } from "./names.ts";

Deno.test("byStateFamilies: the count and byte gauges by state, under MediaMTX's names", () => {
  const zero = { count: 0, bytesIn: 0, bytesOut: 0 };
  const fams = byStateFamilies("rtmp_conns", {
    what: "RTMP(S) connections",
    idle: "not yet publishing or playing",
    counts: {
      idle: zero,
      publish: { count: 1, bytesIn: 500, bytesOut: 20 },
      read: { count: 3, bytesIn: 9, bytesOut: 900 },
    },
  });
  assert.deepEqual(fams.map((f) => f.name), [
    "rtmp_conns",
    "rtmp_conns_bytes_received",
    "rtmp_conns_bytes_sent",
  ]);
  for (const f of fams) checkFamily(f);
  assert.deepEqual(fams[0].samples, [
    { labels: { state: "idle" }, value: 0 },
    { labels: { state: "publish" }, value: 1 },
    { labels: { state: "read" }, value: 3 },
  ]);
  assert.deepEqual(fams[2].samples.map((s) => s.value), [0, 20, 900]);
});

Deno.test("single: a _total name is a counter, anything else a gauge", () => {
  assert.equal(single("estuary_x_total", "x", 1).type, "counter");
  assert.equal(single("rtsp_conns", "x", 1).type, "gauge");
});
