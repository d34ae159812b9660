import assert from "node:assert/strict";
import { nullLogger } from "../log/mod.ts";
import { hubFamilies, registerHubMetrics } from "./hub_collector.ts";
import { Metrics } from "./registry.ts";
import { renderText } from "./text_format.ts";
import { publish, testHub } from "./_test_util.ts";
import type { H264Track } from "../core/mod.ts";

const video: H264Track = {
  kind: "video",
  codec: "h264",
  clockRate: 90000,
  width: 640,
  height: 360,
  fps: 30,
  sps: new Uint8Array([0x67]),
  pps: [new Uint8Array([0x68])],
  profile: 66,
  compat: 0,
  level: 30,
};

const byName = (m: Metrics) => Object.fromEntries(m.collect().map((f) => [f.name, f]));

Deno.test("hub metrics: MediaMTX path families per stream, Estuary's own under estuary_", async () => {
  const hub = testHub();
  const metrics = new Metrics();
  const startedAt = new Date(Date.now() - 5000);
  const off = registerHubMetrics(metrics, { hub, log: nullLogger, startedAt });
  let f = byName(metrics);
  assert.equal(f.estuary_streams.samples[0].value, 0);
  assert.ok(Number(f.estuary_uptime_seconds.samples[0].value) >= 5);
  assert.deepEqual(f.paths.samples, []);

  const cam = await publish(hub, "cam");
  cam.expectTracks({ video: true, audio: false });
  cam.write({ track: video, dts: 0, pts: 0, key: true, data: new Uint8Array(1000) });
  cam.write({ track: video, dts: 3000, pts: 3000, key: false, data: new Uint8Array(500) });
  cam.stats.bytesOut = 4242;
  cam.attachPlayer("rtmp");
  cam.attachPlayer("http-flv");
  cam.countDrop("player_backlog", 3, 30);
  const idle = await publish(hub, "idle"); // no tracks yet

  f = byName(metrics);
  const ready = { name: "live/cam", state: "ready" };
  const notReady = { name: "live/idle", state: "notReady" };
  assert.deepEqual(f.paths.samples, [{ labels: ready, value: 1 }, { labels: notReady, value: 1 }]);
  assert.deepEqual(f.paths_readers.samples[0], { labels: ready, value: 2 });
  assert.deepEqual(f.paths_inbound_bytes.samples[0], { labels: ready, value: 1500 });
  assert.equal(f.paths_inbound_bytes.type, "untyped");
  assert.deepEqual(f.paths_outbound_bytes.samples[0], { labels: ready, value: 4242 });
  assert.deepEqual(f.estuary_inbound_frames_total.samples[0], { labels: { path: "live/cam" }, value: 2 });
  assert.deepEqual(f.estuary_frames_dropped_total.samples.slice(0, 2), [
    { labels: { path: "live/cam", reason: "reader_queue" }, value: 0 },
    { labels: { path: "live/cam", reason: "player_backlog" }, value: 3 },
  ]);
  assert.deepEqual(f.estuary_bytes_dropped_total.samples[1].value, 30);
  assert.equal(f.estuary_streams.samples[0].value, 2);
  assert.deepEqual(metrics.errors(), {}, "every family follows the naming rules");
  assert.match(renderText(metrics.collect()), /^paths_readers\{name="live\/cam",state="ready"\} 2$/m);

  off();
  assert.deepEqual(metrics.collect(), []);
  cam.end();
  idle.end();
  hub.close();
});

Deno.test("hubFamilies reports uptime from the start time", () => {
  const hub = testHub();
  const fams = hubFamilies(hub, new Date(1000), 3500);
  assert.deepEqual(fams.find((f) => f.name === "estuary_uptime_seconds")!.samples, [{ value: 2.5 }]);
  hub.close();
});
