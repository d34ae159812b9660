import assert from "node:assert/strict";
import { DELIVERY_SHARE } from "../../core/mod.ts";
import { ConfigError } from "../../core/errors.ts";
import { defaultConfig, loadConfig } from "../../config/mod.ts";
import { shippedConfig } from "../../config/_test_util.ts";
import { type RtmpSettings, rtmpSettings } from "./service.ts";

const ROOT = "/srv/estuary";

const DEFAULTS: RtmpSettings = {
  hostname: "0.0.0.0",
  port: 1935,
  tls: undefined,
  chunkSize: 8192,
  hevcCodecId: 12,
  notFound: "wait",
  playWaitMs: 10_000,
  fmt3ExtTime: true,
  fanout: { batchMs: 20, maxBatchMs: 150, deliveryShare: DELIVERY_SHARE, fastStart: true },
  handshakeTimeoutMs: 10_000,
  startTimeoutMs: 10_000,
  limits: { maxConns: 10_000, maxConnsPerIp: 4096, fdReserve: 64 },
  aac: { bitrate: 128_000 },
};

Deno.test("rtmpSettings: the built-in defaults", () => {
  assert.deepEqual(rtmpSettings(defaultConfig(), ROOT), DEFAULTS);
});

Deno.test("rtmpSettings: smart_rtmpd's shipped config.xml (gopenable false; ssl off, so no TLS read)", () => {
  assert.deepEqual(rtmpSettings(shippedConfig(), ROOT), {
    ...DEFAULTS,
    fanout: { batchMs: 20, maxBatchMs: 150, deliveryShare: DELIVERY_SHARE, fastStart: false },
  });
});

Deno.test("rtmpSettings: each element lands where it should; chunk size capped at 64 KB; off is null", () => {
  const { config } = loadConfig({
    overrides: {
      "rtmp.ip": "127.0.0.1",
      "rtmp.port": 1940,
      "rtmp.chunksize": 1_000_000,
      "rtmp.codech265": 13,
      "rtmp.notfound": "reject",
      "rtmp.playwait": 3,
      "rtmp.hdr3exttime": false,
      "rtmp.batchms": 40,
      "rtmp.maxbatchms": 90,
      "rtmp.connecttimeout": 5,
      "rtmp.starttimeout": 0,
      "rtmp.maxconns": 300,
      "rtmp.maxconnsperip": 20,
      "sock.fdreserve": 128,
    },
  });
  assert.deepEqual(rtmpSettings(config, ROOT), {
    hostname: "127.0.0.1",
    port: 1940,
    tls: undefined,
    chunkSize: 65536,
    hevcCodecId: 13,
    notFound: "reject",
    playWaitMs: 3000,
    fmt3ExtTime: false,
    fanout: { batchMs: 40, maxBatchMs: 90, deliveryShare: DELIVERY_SHARE, fastStart: true },
    handshakeTimeoutMs: 5000,
    startTimeoutMs: 0,
    limits: { maxConns: 300, maxConnsPerIp: 20, fdReserve: 128 },
    aac: { bitrate: 128_000 },
  });
  assert.equal(rtmpSettings(loadConfig({ overrides: { "rtmp.enable": false } }).config, ROOT), null);
});

Deno.test("rtmpSettings: Opus → AAC for players without Opus from <rtc><aacbitrate> (kbit/s → bit/s); <rtc><transcode> false is null", () => {
  const at = (o: Record<string, string | number | boolean>) =>
    rtmpSettings(loadConfig({ overrides: o }).config, ROOT)?.aac;
  assert.deepEqual(at({ "rtc.aacbitrate": 64 }), { bitrate: 64_000 });
  assert.equal(at({ "rtc.transcode": false, "rtc.aacbitrate": 64 }), null);
  // Independent of WebRTC: an Opus source (RTSP, SRT) still plays over RTMP as AAC.
  assert.deepEqual(at({ "rtmp.haswebrtc": false }), { bitrate: 128_000 });
});

Deno.test("rtmpSettings: RTMPS reads the certificate and key under the root; unreadable ones refuse", async () => {
  const root = await Deno.makeTempDir({ prefix: "estuary-rtmp-settings-" });
  try {
    await Deno.writeTextFile(`${root}/server.crt`, "CERT");
    await Deno.writeTextFile(`${root}/server.key`, "KEY");
    const tls = {
      "rtmp.ssl": true,
      "rtmp.sport": 1937,
      "ssl.servercert": "server.crt",
      "ssl.serverkey": "server.key",
    };
    const s = rtmpSettings(loadConfig({ overrides: tls }).config, root);
    assert.deepEqual(s?.tls, { cert: "CERT", key: "KEY", port: 1937 });
    const missing = loadConfig({ overrides: { ...tls, "ssl.serverkey": "nope.key" } }).config;
    assert.throws(() => rtmpSettings(missing, root), ConfigError);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
