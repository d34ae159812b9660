import assert from "node:assert/strict";
import { RELAY_PLAYER, Stream } from "../core/mod.ts";
import { isoDuration, playerCounts, rateKbps } from "./stream_info.ts";

Deno.test("isoDuration: whole seconds as ISO 8601", () => {
  const cases: [number, string][] = [
    [0, "PT0S"],
    [999, "PT0S"],
    [5_000, "PT5S"],
    [65_000, "PT1M5S"],
    [120_000, "PT2M"],
    [3_600_000, "PT1H"],
    [3_661_000, "PT1H1M1S"],
    [90_000_000, "PT25H"],
    [-5, "PT0S"],
  ];
  for (const [ms, want] of cases) assert.equal(isoDuration(ms), want, String(ms));
});

Deno.test("rateKbps and playerCounts", () => {
  const s = new Stream({
    app: "live",
    name: "a",
    vhost: "",
    info: { from: "rtmp" },
    gop: { enabled: true, maxFrames: 10, maxBytes: 1000 },
  });
  s.stats.bytesIn = 125_000; // 1 Mbit
  assert.equal(rateKbps(s, s.startedAt + 1000), 1000);
  assert.equal(rateKbps(s, s.startedAt + 1500), 1000, "cached within a second");
  s.stats.bytesIn += 62_500;
  assert.equal(rateKbps(s, s.startedAt + 2000), 500);
  const r1 = s.attachPlayer("rtmp"), r2 = s.attachPlayer("http-flv");
  s.attachPlayer("http-flv");
  assert.deepEqual(playerCounts(s), { count: { rtmp: 1, "http-flv": 2 }, total: 3 });
  r1();
  r1();
  r2();
  assert.deepEqual(playerCounts(s), { count: { rtmp: 0, "http-flv": 1 }, total: 1 });
  // A sibling worker's relay pull is no player: its players are counted on their own worker.
  s.attachPlayer(RELAY_PLAYER);
  assert.deepEqual(playerCounts(s), { count: { rtmp: 0, "http-flv": 1 }, total: 1 });
  s.end();
});
