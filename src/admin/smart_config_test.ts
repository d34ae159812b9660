import assert from "node:assert/strict";
import { defaultConfig, leafPaths } from "../config/mod.ts";
import { fromSmartConfig, SMART_CONFIG, toSmartConfig } from "./smart_config.ts";

Deno.test("smart_rtmpd /api/config shape: every key maps to a real element; round trip; unknown keys listed", () => {
  const leaves = new Set(leafPaths().map((p) => p.join(".")));
  for (const keys of Object.values(SMART_CONFIG)) {
    for (const p of Object.values(keys)) assert.ok(leaves.has(p), p);
  }
  const smart = toSmartConfig(defaultConfig());
  assert.equal(smart.rtmp.port, 1935);
  assert.equal(smart.http.hls_duration, 5);
  assert.equal(smart.rtmp.has_webrtc, true);
  const { changes, ignored } = fromSmartConfig({
    http: { hls_duration: 2, rec_period: 10 },
    rtmp: { gop_cache: false, has_webrtc: false, has_rtsp: false },
    license: { x: 1 },
  });
  assert.deepEqual(changes, {
    "http.hlsduration": 2,
    "http.recduration": 10,
    "rtmp.gopenable": false,
    "rtmp.haswebrtc": false,
    "rtmp.hasrtsp": false,
  });
  assert.deepEqual(ignored, ["license"]);
});
