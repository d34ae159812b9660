/**
 * Fan-out deliveries straight onto the players' sockets (src/net/tcp_send.ts, src/net/udp_fd.ts): the
 * real server (a process, with FFI as `deno task start` grants it), ffmpeg publishing over RTMP, ffmpeg
 * playing over RTMP, HTTP-FLV, HLS, RTSP (over TCP and over UDP) and SRT at once. Every player decodes the stream whole (the bytes of the synchronous sends
 * and of the async writes after a full socket stay in order), and /metrics shows the deliveries that
 * took the direct way.
 */
import assert from "node:assert/strict";
import { decodedFrames, ffmpegPublish, requireTool, startEstuary, waitFor } from "./support/mod.ts";

async function directSends(
  metricsUrl: string,
): Promise<{ whole: number; partial: number; udpSent: number; udpRefused: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const get = (family: string, r: string) =>
    Number(new RegExp(`^${family}\\{result="${r}"\\} (\\d+)`, "m").exec(text)?.[1] ?? NaN);
  return {
    whole: get("estuary_tcp_direct_sends_total", "whole"),
    partial: get("estuary_tcp_direct_sends_total", "partial"),
    udpSent: get("estuary_udp_direct_sends_total", "sent"),
    udpRefused: get("estuary_udp_direct_sends_total", "refused"),
  };
}

Deno.test("direct sends: ffmpeg players over RTMP, HTTP-FLV, HLS, RTSP (TCP, UDP) and SRT decode every frame; the deliveries took the direct way", async () => {
  requireTool("ffmpeg");
  const server = await startEstuary({ services: ["rtmp", "http", "rtsp", "srt"] });
  const rtsp = `rtsp://127.0.0.1:${server.ports.rtsp}/live/d`;
  const srt =
    `srt://127.0.0.1:${server.ports.srt}?mode=caller&latency=120000&streamid=#!::r=live/d,m=request`;
  const pub = ffmpegPublish({ url: server.rtmp("/live/d"), format: "flv", seconds: 12 });
  try {
    await waitFor(
      async () => {
        const r = await fetch(server.http("/api/live?app=live&name=d"));
        await r.body?.cancel();
        return r.status === 200 || undefined;
      },
      15_000,
      "the stream is live",
    ).catch((e) => {
      throw new Error(`${e.message}\n${server.lines.slice(-20).join("\n")}`);
    });
    const before = await directSends(server.http("/metrics"));
    const players = await Promise.all([
      decodedFrames(server.rtmp("/live/d"), { frames: 150, timeoutMs: 20_000 }),
      decodedFrames(server.rtmp("/live/d"), { frames: 150, timeoutMs: 20_000 }),
      decodedFrames(server.http("/live/d.flv"), { frames: 150, timeoutMs: 20_000 }),
      decodedFrames(server.http("/live/d.flv"), { frames: 150, timeoutMs: 20_000 }),
      // HLS: playlists and segments answered on the hot route, straight onto the socket too.
      decodedFrames(server.http("/live/d.m3u8"), { frames: 100, timeoutMs: 20_000 }),
      // RTSP: interleaved over the RTSP connection (TCP), and one datagram per RTP packet (UDP).
      decodedFrames(rtsp, { frames: 150, timeoutMs: 20_000, inputArgs: ["-rtsp_transport", "tcp"] }),
      decodedFrames(rtsp, { frames: 150, timeoutMs: 20_000, inputArgs: ["-rtsp_transport", "udp"] }),
      // SRT: every packet of the listener's socket by sendto.
      decodedFrames(srt, { frames: 150, timeoutMs: 20_000 }),
    ]);
    const after = await directSends(server.http("/metrics"));
    console.log(
      `frames decoded: ${players.map((p) => p.frames).join(", ")}; direct sends whole ${
        after.whole - before.whole
      }, partial ${after.partial - before.partial}; datagrams sent ${
        after.udpSent - before.udpSent
      }, refused ${after.udpRefused - before.udpRefused}`,
    );
    for (const p of players) {
      assert.ok(p.frames >= 100, `${p.frames} frames: ${p.stderr.slice(-400)}`);
      assert.doesNotMatch(p.stderr, /invalid|corrupt|error/i, p.stderr.slice(-400));
    }
    // ~25 chunks a second for each of 5 players over ≥ 6 s of play.
    assert.ok(after.whole - before.whole >= 250, `only ${after.whole - before.whole} whole direct sends`);
    // ≥ 2 RTP packets a video frame and ~43 audio packets a second for ≥ 6 s.
    assert.ok(
      after.udpSent - before.udpSent >= 500,
      `only ${after.udpSent - before.udpSent} datagrams sent directly`,
    );
  } finally {
    await pub.stop();
    await server.stop();
    await Deno.remove(server.root, { recursive: true });
  }
});
