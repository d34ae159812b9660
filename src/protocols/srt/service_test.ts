import assert from "node:assert/strict";
import { DELIVERY_SHARE } from "../../core/mod.ts";
import { defaultConfig, loadConfig } from "../../config/mod.ts";
import { shippedConfig } from "../../config/_test_util.ts";
import { type SrtSettings, srtSettings } from "./service.ts";

const DEFAULTS: SrtSettings = {
  hostname: "0.0.0.0",
  port: 9000,
  latencyMs: 120,
  passphrase: undefined,
  pbkeylen: 0,
  maxIdleMs: 10_000,
  maxConns: 1000,
  maxConnsPerIp: 1000,
  recvBuffer: 8192 * 1024,
  sendBuffer: 8192 * 1024,
  playWaitMs: 1000,
  fanout: { batchMs: 20, maxBatchMs: 150, deliveryShare: DELIVERY_SHARE, fastStart: true },
  aac: { bitrate: 128_000 },
};

Deno.test("srtSettings: the built-in defaults", () => {
  assert.deepEqual(srtSettings(defaultConfig()), DEFAULTS);
});

Deno.test("srtSettings: smart_rtmpd's shipped config.xml (gopenable false)", () => {
  assert.deepEqual(srtSettings(shippedConfig()), {
    ...DEFAULTS,
    fanout: { batchMs: 20, maxBatchMs: 150, deliveryShare: DELIVERY_SHARE, fastStart: false },
  });
});

Deno.test("srtSettings: each element lands where it should; notfound=reject means no wait; off is null", () => {
  const { config } = loadConfig({
    overrides: {
      "srt.ip": "127.0.0.1",
      "srt.port": 9001,
      "srt.latency": 400,
      "srt.passphrase": "0123456789abcdef",
      "srt.pbkeylen": 32,
      "srt.maxidle": 0,
      "srt.maxconns": 20,
      "srt.maxconnsperip": 0,
      "rtmp.notfound": "reject",
      "rtmp.maxbatchms": 60,
      "sock.recvbuffer": 2048,
      "sock.sendbuffer": 0,
    },
  });
  assert.deepEqual(srtSettings(config), {
    hostname: "127.0.0.1",
    port: 9001,
    latencyMs: 400,
    passphrase: "0123456789abcdef",
    pbkeylen: 32,
    maxIdleMs: 0,
    maxConns: 20,
    maxConnsPerIp: 0,
    recvBuffer: 2048 * 1024,
    sendBuffer: 0,
    playWaitMs: 0,
    fanout: { batchMs: 20, maxBatchMs: 60, deliveryShare: DELIVERY_SHARE, fastStart: true },
    aac: { bitrate: 128_000 },
  });
  assert.equal(srtSettings(loadConfig({ overrides: { "srt.enable": false } }).config), null);
});

Deno.test("srtSettings: Opus → AAC for players from <rtc><aacbitrate> (kbit/s → bit/s); <rtc><transcode> false is null", () => {
  const at = (o: Record<string, string | number | boolean>) =>
    srtSettings(loadConfig({ overrides: o }).config)?.aac;
  assert.deepEqual(at({ "rtc.aacbitrate": 64 }), { bitrate: 64_000 });
  assert.equal(at({ "rtc.transcode": false }), null);
});
