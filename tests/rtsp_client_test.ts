/**
 * Our RTSP client pulls into the hub: from a GStreamer RTSP server (gst-rtsp-server through
 * /usr/bin/python3 + GstRtspServer) and from our own server, over TCP and UDP; ffmpeg then plays
 * the pulled stream over RTMP.
 */
import assert from "node:assert/strict";
import { createRtspServer, pullRtsp, rtspSettings } from "../src/protocols/rtsp/mod.ts";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  startTestServer,
  waitFor,
} from "./support/mod.ts";

const GST_SERVER = `
import sys, gi
gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service("0")
f = GstRtspServer.RTSPMediaFactory()
f.set_launch("( videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! x264enc tune=zerolatency key-int-max=30 speed-preset=veryfast ! rtph264pay name=pay0 pt=96 audiotestsrc is-live=true ! audioconvert ! avenc_aac ! rtpmp4gpay name=pay1 pt=97 )")
f.set_shared(True)
server.get_mount_points().add_factory("/test", f)
server.attach(None)
print(server.get_bound_port(), flush=True)
GLib.MainLoop().run()
`;

/** Starts gst-rtsp-server on a free port; returns its port and a stop function. */
async function gstRtspServer(): Promise<{ port: number; stop: () => Promise<void> }> {
  requireTool("/usr/bin/python3");
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", GST_SERVER],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  clearTimeout(timer);
  const port = Number(text.trim());
  assert.ok(port > 0, `gst-rtsp-server did not start: "${text}"`);
  return {
    port,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await reader.cancel().catch(() => {});
      await child.status;
    },
  };
}

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
