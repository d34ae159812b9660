/** Whole server: an SRT publisher's transport stats (RTT, loss, retransmits, bitrate) appear in /api/live details. */
import assert from "node:assert/strict";
import { AAC, ffmpegPublish, H264B, startEstuary, waitFor } from "./support/mod.ts";

Deno.test("server: /api/live details show the SRT session's RTT, loss, retransmits and bitrate", async () => {
  const server = await startEstuary({ services: ["rtmp", "http", "srt"] });
  const url =
    `srt://127.0.0.1:${server.ports.srt}?mode=caller&latency=120000&streamid=#!::r=live/srtstats,m=publish`;
  const pub = ffmpegPublish({ url, format: "mpegts", seconds: 8, video: H264B, audio: AAC });
  try {
    const details = await waitFor(
      async () => {
        const res = await fetch(server.http("/api/live?app=live&name=srtstats"));
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
    await server.stop();
  }
});
