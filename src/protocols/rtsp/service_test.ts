import assert from "node:assert/strict";
import { DELIVERY_SHARE } from "../../core/mod.ts";
import { defaultConfig, loadConfig } from "../../config/mod.ts";
import { shippedConfig } from "../../config/_test_util.ts";
import { type RtspSettings, rtspSettings } from "./service.ts";

const ROOT = "/srv/estuary";

const DEFAULTS: RtspSettings = {
  hostname: "0.0.0.0",
  port: 8554,
  tls: undefined,
  rtpPortRange: { min: 30000, max: 60000 },
  recvBuffer: 8192 * 1024,
  rtpPayloadTypes: { h264: 96, h265: 98, aac: 97 },
  mtu: 1460,
  natHost: undefined,
  maxIdleMs: 12_000,
  playWaitMs: 5000,
  fanout: { batchMs: 20, maxBatchMs: 150, deliveryShare: DELIVERY_SHARE, fastStart: true },
  headerTimeoutMs: 10_000,
  limits: { maxConns: 10_000, maxConnsPerIp: 4096, fdReserve: 64 },
};

Deno.test("rtspSettings: the built-in defaults", () => {
  assert.deepEqual(rtspSettings(defaultConfig(), ROOT), DEFAULTS);
});

Deno.test("rtspSettings: smart_rtmpd's shipped config.xml (gopenable false)", () => {
  assert.deepEqual(rtspSettings(shippedConfig(), ROOT), {
    ...DEFAULTS,
    fanout: { batchMs: 20, maxBatchMs: 150, deliveryShare: DELIVERY_SHARE, fastStart: false },
  });
});

Deno.test("rtspSettings: RTP from <rtp> and <rtmp><rtp>, NAT host without port, DESCRIBE wait capped at 5 s", () => {
  const { config } = loadConfig({
    overrides: {
      "rtsp.ip": "127.0.0.1",
      "rtsp.port": 8555,
      "rtsp.maxidle": 30,
      "rtp.min": 40001,
      "rtp.max": 40100,
      "rtmp.rtp.h264": 100,
      "rtmp.rtp.h265": 101,
      "rtmp.rtp.aac": 102,
      "rtmp.rtp.size": 1200,
      "nat.rtsp": "203.0.113.7:8554",
      "rtmp.playwait": 30,
      "rtmp.batchms": 35,
      "rtsp.headertimeout": 3,
      "rtsp.maxconns": 50,
      "rtsp.maxconnsperip": 0,
    },
  });
  assert.deepEqual(rtspSettings(config, ROOT), {
    hostname: "127.0.0.1",
    port: 8555,
    tls: undefined,
    rtpPortRange: { min: 40001, max: 40100 },
    recvBuffer: 8192 * 1024,
    rtpPayloadTypes: { h264: 100, h265: 101, aac: 102 },
    mtu: 1200,
    natHost: "203.0.113.7",
    maxIdleMs: 30_000,
    playWaitMs: 5000,
    fanout: { batchMs: 35, maxBatchMs: 150, deliveryShare: DELIVERY_SHARE, fastStart: true },
    headerTimeoutMs: 3000,
    limits: { maxConns: 50, maxConnsPerIp: 0, fdReserve: 64 },
  });
});

Deno.test("rtspSettings: <nat><rtp> wins over <nat><rtsp>; notfound=reject means no wait; off is null", () => {
  const { config } = loadConfig({
    overrides: { "nat.rtp": "198.51.100.2", "nat.rtsp": "203.0.113.7:8554", "rtmp.notfound": "reject" },
  });
  const s = rtspSettings(config, ROOT)!;
  assert.equal(s.natHost, "198.51.100.2");
  assert.equal(s.playWaitMs, 0);
  assert.equal(rtspSettings(loadConfig({ overrides: { "rtsp.enable": false } }).config, ROOT), null);
});
