/**
 * gst-rtsp-server (through /usr/bin/python3 and GStreamer's bindings) serving a live H.264 + AAC test
 * stream at rtsp://127.0.0.1:<port>/test: a third-party RTSP server to pull from.
 */
import assert from "node:assert/strict";
import { requireTool } from "./tools.ts";

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
export async function gstRtspServer(): Promise<{ port: number; stop: () => Promise<void> }> {
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
