import assert from "node:assert/strict";
import { originUrl } from "./edge.ts";

Deno.test("originUrl: host:port, rtmp(s):// bases and srt:// origins give the play URL of app/name", () => {
  assert.equal(originUrl("10.0.0.1:1935", "live", "cam"), "rtmp://10.0.0.1:1935/live/cam");
  assert.equal(
    originUrl(" rtmps://o.example.net:1936/ ", "live", "cam"),
    "rtmps://o.example.net:1936/live/cam",
  );
  assert.equal(
    originUrl("srt://10.0.0.1:9000", "live", "cam"),
    "srt://10.0.0.1:9000?streamid=#!::r=live/cam,m=request",
  );
  assert.equal(
    originUrl("srt://10.0.0.1:9000?latency=200", "live", "cam"),
    "srt://10.0.0.1:9000?streamid=#!::r=live/cam,m=request",
  );
});

Deno.test("originUrl: the player's query travels with the pull (its token for the origin's auth callback)", () => {
  assert.equal(
    originUrl("10.0.0.1", "live", "cam", "token=abc&u=1"),
    "rtmp://10.0.0.1/live/cam?token=abc&u=1",
  );
  assert.equal(
    originUrl("rtmps://o.example:443/", "live", "cam", "?token=abc"),
    "rtmps://o.example:443/live/cam?token=abc",
  );
  // Over SRT as extra keys of the stream id; a pair that is not a plain word=value is left out.
  assert.equal(
    originUrl("srt://o:9000", "live", "cam", "token=abc&bad key=1&x=a,b"),
    "srt://o:9000?streamid=#!::r=live/cam,m=request,token=abc",
  );
  assert.equal(originUrl("10.0.0.1", "live", "cam", ""), "rtmp://10.0.0.1/live/cam");
});
