import assert from "node:assert/strict";
import { parseSrtUrl, redactUrl } from "./sources.ts";

Deno.test("sources: srt:// URLs keep a raw stream id; credentials are left out of logs", () => {
  const u = parseSrtUrl(
    "srt://10.0.0.2:9001?streamid=#!::r=live/cam,m=request&passphrase=0123456789ab&latency=200",
  );
  assert.equal(u.hostname, "10.0.0.2");
  assert.equal(u.port, 9001);
  assert.equal(u.params.get("streamid"), "#!::r=live/cam,m=request");
  assert.equal(u.params.get("passphrase"), "0123456789ab");
  assert.equal(parseSrtUrl("srt://[::1]?streamid=a").port, 9000);
  assert.equal(parseSrtUrl("srt://[::1]?streamid=a").hostname, "::1");
  assert.throws(() => parseSrtUrl("srt://"), /must be srt:\/\/host:port/);
  assert.equal(redactUrl("rtsp://user:pass@cam/stream"), "rtsp://cam/stream");
});
