/**
 * Our RTSP client pulls into the hub: from a GStreamer RTSP server (gst-rtsp-server through
 * /usr/bin/python3 + GstRtspServer) and from our own server, over TCP and UDP; ffmpeg then plays
 * the pulled stream over RTMP.
 */
import assert from "node:assert/strict";
import { createRtspServer, pullRtsp, rtspSettings } from "../src/protocols/rtsp/mod.ts";
import { AAC, decodedFrames, ffmpegPublish, H264B, startTestServer, waitFor } from "./support/mod.ts";
import { gstRtspServer } from "./support/gst_rtsp.ts";

Deno.test("rtsp client pulls from gst-rtsp-server (tcp and udp); ffmpeg plays it over RTMP", async () => {
  const gst = await gstRtspServer();
  const ts = await startTestServer();
  const { hub } = ts;
  const log = ts.server.log;
  try {
    for (const transport of ["tcp", "udp"] as const) {
      const name = `pulled-${transport}`;
      const { stream, client } = await pullRtsp({
        hub,
        log,
        url: `rtsp://127.0.0.1:${gst.port}/test`,
        app: "live",
        name,
        transport,
      });
      assert.deepEqual(client.tracks.map((t) => t.codec).sort(), ["aac", "h264"]);
      await waitFor(() => stream.stats.videoFrames > 10, 10_000, "pulled frames");
      const r = await decodedFrames(ts.rtmp(`/live/${name}`), {
        inputArgs: ["-rw_timeout", "5000000"],
        frames: 60,
        timeoutMs: 20_000,
      });
      assert.equal(r.frames, 60, r.stderr);
      assert.equal(stream.audioTrack?.codec, "aac");
      client.close("test done");
      assert.match(await stream.ended, /source closed/);
    }
  } finally {
    await ts.close();
    await gst.stop();
  }
});

Deno.test("rtsp client pulls from our own server with Digest credentials", async () => {
  // The config has no RTSP user list: a second RTSP listener on the test server's hub and log, built
  // from the same settings() as the real one, requires credentials.
  const ts = await startTestServer();
  const { hub } = ts;
  const log = ts.server.log;
  const rtsp = createRtspServer({
    hub,
    log,
    ...rtspSettings(ts.server.config, ts.root)!,
    port: 0,
    users: { bob: "pw" },
  });
  await rtsp.start();
  try {
    const pub = ffmpegPublish({
      url: `rtsp://bob:pw@127.0.0.1:${rtsp.port}/live/src`,
      format: "rtsp",
      seconds: 8,
      size: "320x240",
      video: H264B,
      audio: AAC,
      extra: ["-rtsp_transport", "tcp"],
    });
    await waitFor(() => hub.get("live/src")?.stats.videoFrames, 10_000, "the source");
    const { stream, client } = await pullRtsp({
      hub,
      log,
      url: `rtsp://bob:pw@127.0.0.1:${rtsp.port}/live/src`,
      app: "live",
      name: "copy",
    });
    await waitFor(() => stream.stats.videoFrames >= 60, 10_000, "60 pulled frames");
    assert.deepEqual(stream.tracks.map((t) => t.codec), ["h264", "aac"]);
    const src = hub.get("live/src")!;
    assert.equal(stream.videoTrack?.width, src.videoTrack?.width);
    await pub.stop();
    assert.match(await client.closed, /server closed|no media/);
  } finally {
    await rtsp.close();
    await ts.close();
  }
});
