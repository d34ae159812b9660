import assert from "node:assert/strict";
import { defaultConfig, loadConfig } from "../config/mod.ts";
import { shippedConfig } from "../config/_test_util.ts";
import { type RecorderSettings, recorderSettings } from "./service.ts";

const DEFAULTS: RecorderSettings = {
  root: "/srv/estuary/rec",
  recmode: 0,
  recdurationMin: 3,
  segmentMs: 5000,
};

Deno.test("recorderSettings: the built-in defaults", () => {
  assert.deepEqual(recorderSettings(defaultConfig(), "/srv/estuary"), DEFAULTS);
});

Deno.test("recorderSettings: smart_rtmpd's shipped config.xml", () => {
  assert.deepEqual(recorderSettings(shippedConfig(), "/srv/estuary"), DEFAULTS);
});

Deno.test("recorderSettings: recmode, recduration and the hlsduration segment target", () => {
  const { config } = loadConfig({
    overrides: { "http.recmode": 1, "http.recduration": 60, "http.hlsduration": 2 },
  });
  assert.deepEqual(recorderSettings(config, "/data"), {
    root: "/data/rec",
    recmode: 1,
    recdurationMin: 60,
    segmentMs: 2000,
  });
});
