import { BUILTIN_WEB_ROOT } from "./web_root.ts";
import assert from "node:assert/strict";
import { DELIVERY_SHARE } from "../core/mod.ts";
import { defaultConfig, loadConfig } from "../config/mod.ts";
import { shippedConfig } from "../config/_test_util.ts";
import { type HttpSettings, httpSettings } from "./service.ts";

const ROOT = "/srv/estuary";

const DEFAULTS: HttpSettings = {
  hostname: "0.0.0.0",
  port: 8080,
  tls: undefined,
  options: {
    hasflv: true,
    playWaitMs: 10_000,
    htmlRoot: "/srv/estuary/html",
    webRoot: BUILTIN_WEB_ROOT,
    denyFiles: ["php", "xml"],
    denyPaths: [],
    flvBatchMs: 20,
    flvMaxBatchMs: 150,
    flvDeliveryShare: DELIVERY_SHARE,
    flvMaxQueueBytes: 2048 * 1024,
    flvMaxDrops: 10,
    flvStallMs: 15_000,
    fastStart: true,
    hevcCodecId: 12,
    metricsEnabled: true,
    aac: { bitrate: 128_000 },
  },
  hls: {
    enabled: true,
    targetMs: 5000,
    windowSize: 3,
    cacheSize: 4,
    fmp4: false,
    llhls: false,
    partTargetMs: 334,
    startOnPublish: false,
    graceMs: 30_000,
    idleMs: 60_000,
  },
  dash: {
    enabled: true,
    segmentMs: 3000,
    windowS: 10,
    maxSegments: 10,
    startOnPublish: false,
    graceMs: 30_000,
    idleMs: 60_000,
  },
  recRoot: "/srv/estuary/rec",
  vodRoot: "/srv/estuary/vod",
  maxBody: 67_108_864,
  front: {
    maxConns: 10_000,
    maxConnsPerIp: 1000,
    fdReserve: 64,
    headerTimeoutMs: 10_000,
    idleTimeoutMs: 30_000,
    wsIdleMs: 60_000,
  },
  auth: { url: "", timeoutMs: 3000, cacheMs: 10_000 },
  admin: { user: "admin", password: "", sessionTtlMs: 480 * 60_000 },
  adminPort: 0,
  nat: { rtmp: "", rtsp: "", http: "", https: "", srt: "", rtp: "" },
  outputs: { flv: true, hls: true, dash: true },
  switches: { rtsp: true, srt: true, rtspElsewhere: true, srtElsewhere: true },
  webrtc: {
    portRange: [30000, 60000],
    listenHost: "0.0.0.0",
    natHost: "",
    iceServers: [],
    connectTimeoutMs: 10_000,
    silenceTimeoutMs: 10_000,
    mtu: 1200,
    nackMs: 1500,
    bframes: "drop",
    transcode: { opusBitrate: undefined, aacBitrate: 128_000 },
    iceTcp: true,
  },
};

Deno.test("httpSettings: the built-in defaults", () => {
  assert.deepEqual(httpSettings(defaultConfig(), ROOT), DEFAULTS);
});

Deno.test("httpSettings: smart_rtmpd's shipped config.xml (gopenable false)", () => {
  assert.deepEqual(httpSettings(shippedConfig(), ROOT), {
    ...DEFAULTS,
    options: { ...DEFAULTS.options, fastStart: false },
  });
});

Deno.test("httpSettings: HLS target, window and cache from <hlsduration>, <hlssegment>, <hlslivecache>", () => {
  const { config } = loadConfig({
    overrides: {
      "http.hlsduration": 2,
      "http.hlssegment": 6,
      "http.hlslivecache": 9,
      "http.hlsfmp4": true,
      "http.llhls": true,
      "rtmp.hashls": false,
    },
  });
  assert.deepEqual(httpSettings(config, ROOT)!.hls, {
    ...DEFAULTS.hls,
    enabled: false,
    targetMs: 2000,
    windowSize: 6,
    cacheSize: 9,
    fmp4: true,
    llhls: true,
  });
});

Deno.test("httpSettings: DASH segments are min(hlsduration, floor(dashduration / 3)) seconds", () => {
  const cases: [hlsduration: number, dashduration: number, segmentMs: number][] = [
    [5, 10, 3000],
    [2, 10, 2000],
    [4, 30, 4000],
    [8, 12, 4000],
    [1, 10, 1000],
    [20, 3600, 20_000],
  ];
  for (const [hls, dash, want] of cases) {
    const { config } = loadConfig({
      overrides: { "http.hlsduration": hls, "http.dashduration": dash, "http.dashlivecache": 7 },
    });
    const s = httpSettings(config, ROOT)!.dash;
    assert.deepEqual(
      s,
      { ...DEFAULTS.dash, segmentMs: want, windowS: dash, maxSegments: 7 },
      `${hls}/${dash}`,
    );
  }
});

Deno.test("httpSettings: FLV from <rtmp>, play wait capped at 10 s, auth URL and NAT pass through; off is null", () => {
  const { config } = loadConfig({
    overrides: {
      "http.ip": "127.0.0.1",
      "http.port": 8088,
      "http.flvblock": 512,
      "http.httpmaxbody": 1024,
      "http.maxconns": 50,
      "http.maxconnsperip": 5,
      "http.headertimeout": 3,
      "http.idletimeout": 7,
      "http.denyfile": ".PHP,asp",
      "http.denypath": "/home/,root",
      "rtmp.playwait": 30,
      "rtmp.batchms": 50,
      "rtmp.maxbatchms": 200,
      "rtmp.codech265": 13,
      "rtmp.hasflv": false,
      "http.wsidletimeout": 0,
      "sock.fdreserve": 8,
      "authurl.host": "127.0.0.1:9999",
      "authurl.router": "/auth",
      "authurl.timeout": 1500,
      "authurl.cache": 0,
      "nat.http": "203.0.113.7:80",
    },
  });
  const s = httpSettings(config, ROOT)!;
  assert.equal(s.hostname, "127.0.0.1");
  assert.equal(s.port, 8088);
  assert.equal(s.maxBody, 1024);
  assert.deepEqual(s.front, {
    maxConns: 50,
    maxConnsPerIp: 5,
    fdReserve: 8,
    headerTimeoutMs: 3000,
    idleTimeoutMs: 7000,
    wsIdleMs: 0,
  });
  assert.deepEqual(s.options, {
    ...DEFAULTS.options,
    hasflv: false,
    playWaitMs: 10_000,
    denyFiles: ["php", "asp"],
    denyPaths: ["home", "root"],
    flvBatchMs: 50,
    flvMaxBatchMs: 200,
    flvDeliveryShare: DELIVERY_SHARE,
    flvMaxQueueBytes: 512 * 1024,
    hevcCodecId: 13,
  });
  assert.deepEqual(s.auth, { url: "http://127.0.0.1:9999/auth", timeoutMs: 1500, cacheMs: 0 });
  assert.equal(s.nat.http, "203.0.113.7:80");
  assert.deepEqual(s.outputs, { flv: false, hls: true, dash: true });
  const reject = loadConfig({ overrides: { "rtmp.notfound": "reject" } }).config;
  assert.equal(httpSettings(reject, ROOT)!.options.playWaitMs, 0);
  assert.equal(httpSettings(loadConfig({ overrides: { "http.enable": false } }).config, ROOT), null);
});

Deno.test("httpSettings: Opus → AAC for legacy FLV and TS HLS from <rtc><aacbitrate> (kbit/s → bit/s); <rtc><transcode> false is null", () => {
  const at = (o: Record<string, string | number | boolean>) =>
    httpSettings(loadConfig({ overrides: o }).config, ROOT)?.options.aac;
  assert.deepEqual(at({ "rtc.aacbitrate": 64 }), { bitrate: 64_000 });
  assert.equal(at({ "rtc.transcode": false }), null);
  // Independent of WebRTC (haswebrtc off: webrtc is null, the AAC outputs still transcode).
  assert.deepEqual(at({ "rtmp.haswebrtc": false }), { bitrate: 128_000 });
});
