/**
 * The RTSP and SRT peers of the bench, both GStreamer 1.22 (Debian packages):
 * - gst-rtsp-server (through /usr/bin/python3 and its GObject bindings): one shared medium at
 *   /live/bench that takes MPEG-TS from a UDP port (ffmpeg sends the bench source there, `-c copy`),
 *   demuxes it and re-payloads H.264 and AAC as RTP without transcoding, over TCP or UDP.
 * - an SRT relay: `gst-launch-1.0 srtsrc (listener) ! srtsink (listener)`; ffmpeg pushes the source as
 *   MPEG-TS over SRT, every caller on the output gets the same TS packets. srt-live-transmit cannot be
 *   this peer: its listener output serves one caller only (a second caller connects and gets nothing).
 */
import { spawn, srtStreamId, stopChild, waitPort } from "./peers.ts";
import type { Peer } from "./peers.ts";
import { publish, type Source } from "./media.ts";

const PYTHON = "/usr/bin/python3";

const RTSP_SERVER = `
import sys, gi
gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib
Gst.init(None)
port, udp = sys.argv[1], sys.argv[2]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
f = GstRtspServer.RTSPMediaFactory()
f.set_launch("( udpsrc address=127.0.0.1 port=%s caps=\\"video/mpegts,systemstream=(boolean)true,packetsize=(int)188\\" ! tsdemux name=d d. ! queue ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 d. ! queue ! aacparse ! rtpmp4gpay name=pay1 pt=97 )" % udp)
f.set_shared(True)
server.get_mount_points().add_factory("/live/bench", f)
server.attach(None)
GLib.MainLoop().run()
`;

/** Why a GStreamer peer cannot run here, or null. */
export async function gstAvailable(what: "rtsp" | "srt"): Promise<string | null> {
  const probe = what === "rtsp"
    ? [PYTHON, ["-c", "import gi; gi.require_version('GstRtspServer', '1.0')"]] as const
    : ["gst-inspect-1.0", ["srtsink"]] as const;
  const r = await new Deno.Command(probe[0], { args: [...probe[1]], stdout: "null", stderr: "null" }).output()
    .catch(() => ({ success: false }));
  if (r.success) return null;
  return what === "rtsp"
    ? "gst-rtsp-server not installed (apt-get install python3-gst-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-bad)"
    : "GStreamer's srtsink not installed (apt-get install gstreamer1.0-plugins-bad)";
}

/** `ffmpeg -re -stream_loop -1 -c copy` of the source as MPEG-TS to `url` (udp:// or srt://). */
export function publishTs(src: Source, url: string): Deno.ChildProcess {
  return publish(src, url, "mpegts");
}

const none = () => "";

/** gst-rtsp-server on `ports.rtsp`, its medium reading TS from UDP `ports.rtsp + 2`. */
export async function startGstRtsp(ports: { rtsp: number }): Promise<Peer> {
  const udp = ports.rtsp + 2;
  const child = spawn(PYTHON, ["-c", RTSP_SERVER, String(ports.rtsp), String(udp)]);
  await waitPort(ports.rtsp, 15000, "gst-rtsp-server");
  return {
    name: "gst-rtsp-server",
    protocols: [],
    pid: child.pid,
    rtmpUrl: none,
    flvUrl: none,
    whepUrl: none,
    rtspUrl: (s) => `rtsp://127.0.0.1:${ports.rtsp}/live/${s}`,
    srtUrl: none,
    publish: (src) => publishTs(src, `udp://127.0.0.1:${udp}?pkt_size=1316`),
    stop: () => stopChild(child),
  };
}

/** Waits until something listens on UDP 127.0.0.1:`port` (/proc/net/udp, Linux). */
async function waitUdpPort(port: number, ms: number, what: string) {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (Deno.readTextFileSync("/proc/net/udp").includes(` ${hex} `)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not bind UDP 127.0.0.1:${port} within ${ms} ms`);
}

/** GStreamer's SRT relay: callers on `ports.srt`, ffmpeg's TS in on `ports.srt + 1`. */
export async function startGstSrt(ports: { srt: number }): Promise<Peer> {
  const input = ports.srt + 1;
  const child = spawn("gst-launch-1.0", [
    "-q",
    "srtsrc",
    `uri=srt://127.0.0.1:${input}?mode=listener`,
    "!",
    "srtsink",
    `uri=srt://127.0.0.1:${ports.srt}?mode=listener`,
    "wait-for-connection=false",
    "sync=false",
  ]);
  await waitUdpPort(input, 15000, "gst-launch srtsrc");
  await waitUdpPort(ports.srt, 15000, "gst-launch srtsink");
  return {
    name: "gst-srt-relay",
    protocols: [],
    pid: child.pid,
    rtmpUrl: none,
    flvUrl: none,
    whepUrl: none,
    rtspUrl: none,
    srtUrl: (s) => `srt://127.0.0.1:${ports.srt}?streamid=${srtStreamId(s)}`,
    publish: (src) => publishTs(src, `srt://127.0.0.1:${input}?pkt_size=1316`),
    stop: () => stopChild(child),
  };
}
