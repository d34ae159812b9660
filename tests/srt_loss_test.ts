/**
 * Loss recovery through our lossy relay: 5 % of datagrams dropped each way (plus delay, jitter
 * and some reordering) on both the publisher's and the player's path, latency 200 ms.
 */
import assert from "node:assert/strict";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  startTestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";
import { startLossyRelay } from "./support/lossy_relay.ts";
import { srtStats, waitNoSessions } from "./support/srt_client.ts";

const LIVE = { audio: false, videoFrames: 11 };

Deno.test("5 % loss each way: ffmpeg SRT publish → SRT play decodes ≥ 95 % of frames, stats show retransmissions", async () => {
  requireTool("ffmpeg");
  // The relay may drop a SHUTDOWN too: a short idle timeout frees such a session quickly.
  const ts = await startTestServer({ srt: { latency: 200, maxidle: 2 } });
  const relay = startLossyRelay({
    targetHost: "127.0.0.1",
    targetPort: ts.port("srt"),
    loss: 5,
    delayMs: 5,
    jitterMs: 4,
    reorder: 0.5,
    seed: 7,
  });
  const via = (sid: string) => `srt://127.0.0.1:${relay.port}?latency=200000&streamid=${sid}`;
  const pub = ffmpegPublish({
    url: via("#!::r=live/lossy,m=publish"),
    format: "mpegts",
    seconds: 14,
    video: H264B,
    audio: AAC,
  });
  try {
    await waitLive(ts.hub, "live/lossy", LIVE);
    const play = await decodedFrames(via("#!::r=live/lossy,m=request"), { frames: 150, timeoutMs: 20_000 });
    assert.ok(play.frames >= 143, `decoded ${play.frames}/150 frames through 5 % loss: ${play.stderr}`);

    const publisher = srtStats(ts).list.find((s) => s.role === "publisher")!;
    assert.ok(publisher.recv.lost > 0, "the relay dropped publisher packets");
    assert.ok(
      publisher.recv.retransmitted > 0,
      `publisher retransmissions: ${JSON.stringify(publisher.recv)}`,
    );
    const stop = await waitFor(
      () => ts.lines.find((l) => /srt session stop .*role=player/.test(l)),
      5000,
      "player stop",
    );
    const resent = Number(stop.match(/retransmits=(\d+)/)?.[1] ?? 0);
    assert.ok(resent > 0, `the server retransmitted to the player: ${stop}`);
    assert.ok(relay.stats.up.dropped > 0 && relay.stats.down.dropped > 0, JSON.stringify(relay.stats));
  } finally {
    await pub.stop();
    await waitNoSessions(ts);
    await relay.close();
    await ts.close();
  }
});
