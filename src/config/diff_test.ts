import assert from "node:assert/strict";
import {
  type Config,
  defaultConfig,
  diffConfig,
  loadConfig,
  type Overrides,
  type SectionName,
} from "./mod.ts";

Deno.test("diffConfig names exactly the changed top-level sections", () => {
  const base = defaultConfig();
  const cases: [Overrides, SectionName[]][] = [
    [{}, []],
    [{ "rtmp.port": 1000 }, ["rtmp"]],
    [{ "rtmp.rtp.h264": 100 }, ["rtmp"]],
    [{ "rtmp.live": "live,tv" }, ["rtmp"]],
    [{ "http.hlsduration": 2, "log.level": "debug" }, ["http", "log"]],
    [{ "authurl.timeout": 10 }, ["authurl"]],
    [{ "elapse": true }, ["elapse"]],
    [{ "ssl.serverkey": "k" }, ["ssl"]],
  ];
  for (const [overrides, want] of cases) {
    const next = loadConfig({ overrides }).config;
    assert.deepEqual([...diffConfig(base, next)].sort(), [...want].sort(), JSON.stringify(overrides));
  }
});

Deno.test("diffConfig sees changes in repeated elements", () => {
  const a = loadConfig({ text: `<config><webrtc><host rtmp="a:1"/></webrtc></config>` }).config;
  const b =
    loadConfig({ text: `<config><webrtc><host rtmp="a:1"/><host rtmp="b:1"/></webrtc></config>` }).config;
  const c: Config = structuredClone(a);
  assert.deepEqual([...diffConfig(a, b)], ["webrtc"]);
  assert.deepEqual([...diffConfig(a, c)], []);
});
