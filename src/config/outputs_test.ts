import assert from "node:assert/strict";
import { offeredBy, outputSwitches } from "./outputs.ts";
import { defaultConfig } from "./schema.ts";

Deno.test("output switches: all on (the default) checks nothing", () => {
  assert.equal(offeredBy(outputSwitches(defaultConfig())), undefined);
});

Deno.test("output switches: hasrtsp/hassrt close RTSP/SRT playback; rtsp/srt hasrtmp keep such streams on their own protocol", () => {
  const c = defaultConfig();
  c.rtmp.hasrtsp = false;
  let offered = offeredBy(outputSwitches(c))!;
  assert.match(offered("rtmp", "rtsp")!, /<rtmp><hasrtsp> is false/);
  assert.match(offered("rtsp", "rtsp")!, /<rtmp><hasrtsp> is false/);
  assert.equal(offered("rtsp", "rtmp"), undefined);

  const d = defaultConfig();
  d.rtsp.hasrtmp = false;
  d.srt.hasrtmp = false;
  offered = offeredBy(outputSwitches(d))!;
  for (const player of ["rtmp", "http", "srt", "webrtc"]) {
    assert.match(offered("rtsp", player)!, /published over RTSP and <rtsp><hasrtmp> is false/, player);
  }
  assert.equal(offered("rtsp", "rtsp"), undefined);
  for (const player of ["rtmp", "http", "rtsp", "webrtc"]) {
    assert.match(offered("srt", player)!, /published over SRT and <srt><hasrtmp> is false/, player);
  }
  assert.equal(offered("srt", "srt"), undefined);
  assert.equal(offered("rtmp", "rtsp"), undefined);
  assert.equal(offered("webrtc", "srt"), undefined);
});
