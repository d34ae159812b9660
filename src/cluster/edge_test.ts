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
