import assert from "node:assert/strict";
import { defaultConfig, loadConfig } from "../../config/mod.ts";
import { shippedConfig } from "../../config/_test_util.ts";
import { webrtcSettings } from "./settings.ts";

Deno.test("webrtc settings: defaults, smart_rtmpd's shipped config, NAT and ICE servers, off", () => {
  const defaults = {
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
  };
  assert.deepEqual(webrtcSettings(defaultConfig()), defaults);
  assert.deepEqual(webrtcSettings(shippedConfig()), defaults);
  const c = loadConfig({
    text:
      `<config><rtp min="40000" max="40999"/><nat><rtp>203.0.113.7</rtp></nat><http><ip>10.0.0.5</ip></http>
<rtc><iceservers><server url="turn:t.example:3478" username="u" credential="p"/><server url=""/></iceservers></rtc></config>`,
  }).config;
  assert.deepEqual(webrtcSettings(c), {
    ...defaults,
    portRange: [40000, 40999],
    listenHost: "10.0.0.5",
    natHost: "203.0.113.7",
    iceServers: [{ url: "turn:t.example:3478", username: "u", credential: "p" }],
  });
  assert.equal(
    webrtcSettings(loadConfig({ text: "<config><rtmp><haswebrtc>false</haswebrtc></rtmp></config>" }).config),
    null,
  );
  const bitrates = (xml: string) =>
    webrtcSettings(loadConfig({ text: `<config><rtc>${xml}</rtc></config>` }).config)!.transcode;
  assert.deepEqual(bitrates("<opusbitrate>64</opusbitrate><aacbitrate>96</aacbitrate>"), {
    opusBitrate: 64_000,
    aacBitrate: 96_000,
  });
  assert.deepEqual(bitrates("<opusbitrate>0</opusbitrate>"), { opusBitrate: undefined, aacBitrate: 128_000 });
  assert.equal(bitrates("<transcode>off</transcode><opusbitrate>64</opusbitrate>"), null);
  assert.throws(
    () => loadConfig({ text: "<config><rtc><opusbitrate>5</opusbitrate></rtc></config>" }),
    /rtc.opusbitrate = "5" is invalid: must be 0 \(automatic: 96 stereo, 48 mono\) or an integer 6..510/,
  );
  assert.throws(
    () => loadConfig({ text: "<config><rtc><aacbitrate>1000</aacbitrate></rtc></config>" }),
    /rtc.aacbitrate = "1000" is invalid: must be an integer 16..512/,
  );
  assert.throws(
    () => loadConfig({ text: "<config><rtc><transcode>maybe</transcode></rtc></config>" }),
    /rtc.transcode = "maybe" is invalid: must be true or false/,
  );
  assert.throws(
    () =>
      loadConfig({ text: `<config><rtc><iceservers><server url="http://x"/></iceservers></rtc></config>` }),
    /rtc.iceservers.server.0.url = "http:\/\/x" is invalid: must be a stun:, stuns:, turn: or turns: URL/,
  );
});
