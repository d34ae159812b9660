/** Whole server: an SRT publisher's transport stats (RTT, loss, retransmits, bitrate) appear in /api/live details. */
import assert from "node:assert/strict";
import { AAC, ffmpegPublish, H264B, startTestServer, waitFor } from "./support/mod.ts";

Deno.test("server: /api/live details show the SRT session's RTT, loss, retransmits and bitrate", async () => {
  const ts = await startTestServer();
  const url = ts.srt("#!::r=live/srtstats,m=publish", { mode: "caller", latency: 120000 });
  const pub = ffmpegPublish({ url, format: "mpegts", seconds: 8, video: H264B, audio: AAC });
  try {
    const details = await waitFor(
      async () => {
        const res = await fetch(ts.http("/api/live?app=live&name=srtstats"));
        const body = await res.json();
        return res.ok && body.sessions?.srt?.[0]?.recv?.bitrateKbps > 0 ? body : null;
      },
      15000,
      "SRT session stats in /api/live",
    );
    assert.equal(details.app.from, "srt");
    const s = details.sessions.srt[0];
    assert.equal(s.role, "publisher");
    assert.equal(s.key, "live/srtstats");
    assert.equal(typeof s.rttMs, "number");
    assert.equal(typeof s.recv.lost, "number");
    assert.equal(typeof s.recv.retransmitted, "number");
    assert.ok(s.recv.bitrateKbps > 0, `bitrate ${s.recv.bitrateKbps}`);
  } finally {
    await pub.stop();
    await ts.close();
  }
});
