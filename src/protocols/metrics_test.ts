import assert from "node:assert/strict";
import { defaultConfig } from "../config/mod.ts";
import { Hub } from "../core/hub.ts";
import { nullLogger } from "../log/mod.ts";
import { type MetricFamily, Metrics } from "../metrics/mod.ts";
import type { ServiceContext } from "../service.ts";
import { RtmpClient } from "./rtmp/client.ts";
import { rtmpService } from "./rtmp/service.ts";
import { rtspService } from "./rtsp/service.ts";
import { srtService } from "./srt/service.ts";

const sample = (families: MetricFamily[], name: string, state?: string) =>
  families.find((f) => f.name === name)?.samples.find((s) => s.labels?.state === state)?.value;

Deno.test("protocol services register MediaMTX-named metric families while running, and take them away on close", async () => {
  const c = structuredClone(defaultConfig());
  for (const s of [c.rtmp, c.rtsp, c.srt]) (s.ip = "127.0.0.1", s.port = 0);
  const hub = new Hub({
    liveApps: ["live"],
    recApps: [],
    gop: { enabled: true, maxFrames: 100, maxBytes: 1 << 20 },
    maxIdleMs: 0,
  });
  const metrics = new Metrics();
  const ctx: ServiceContext = {
    hub,
    log: nullLogger,
    metrics,
    root: "/tmp",
    startedAt: new Date(),
    status: () => ({}),
    service: () => undefined,
  };
  const rtmp = rtmpService.create(rtmpService.settings(c, "/tmp")!, ctx);
  const rtsp = rtspService.create(rtspService.settings(c, "/tmp")!, ctx);
  const srt = srtService.create(srtService.settings(c, "/tmp")!, ctx);
  for (const s of [rtmp, rtsp, srt]) await s.start();
  try {
    const names = metrics.collect().map((f) => f.name);
    for (
      const n of [
        "rtmp_conns",
        "rtmp_conns_bytes_received",
        "rtmp_conns_bytes_sent",
        "rtsp_conns",
        "rtsp_sessions",
        "rtsp_sessions_bytes_received",
        "rtsp_sessions_bytes_sent",
        "srt_conns",
        "srt_conns_bytes_received",
        "srt_conns_bytes_sent",
      ]
    ) assert.ok(names.includes(n), n);
    for (const f of metrics.collect()) {
      assert.ok(f.type === "gauge" || f.name.endsWith("_total"), `counter ${f.name} ends in _total`);
    }

    const client = await RtmpClient.connect(`rtmp://127.0.0.1:${rtmp.listeners().rtmp}/live/m`);
    try {
      await client.publish();
      const m = metrics.collect();
      assert.equal(sample(m, "rtmp_conns", "publish"), 1);
      assert.equal(sample(m, "rtmp_conns", "read"), 0);
      assert.ok(sample(m, "rtmp_conns_bytes_received", "publish")! > 3000, "handshake and commands counted");
    } finally {
      client.close();
    }
  } finally {
    for (const s of [rtmp, rtsp, srt]) await s.close();
    hub.close();
  }
  assert.deepEqual(metrics.collect(), []);
});
