/**
 * An in-process WHEP rig for tests that reach into werift (DTLS, NACK): a hub with one H.264 stream fed
 * by the test, the real WebrtcSessions and WhepSession answering, and a werift viewer peer connection
 * (recvonly video) that the test wires up before it offers.
 */
import { RTCPeerConnection, useH264 } from "werift";
import { Hub } from "../../src/core/mod.ts";
import type { Frame, H264Track, Stream } from "../../src/core/mod.ts";
import { nullLogger } from "../../src/log/mod.ts";
import { defaultConfig } from "../../src/config/mod.ts";
import { WebrtcSessions, type WebrtcSettings } from "../../src/protocols/webrtc/mod.ts";
import { webrtcSettings } from "../../src/protocols/webrtc/settings.ts";
import type { WhepSession } from "../../src/protocols/webrtc/whep_session.ts";

export function h264Track(width: number, height: number): H264Track {
  return {
    kind: "video",
    codec: "h264",
    clockRate: 90000,
    width,
    height,
    fps: 10,
    sps: new Uint8Array([0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01]),
    pps: [new Uint8Array([0x68, 0xce, 0x3c, 0x80])],
    profile: 0x42,
    compat: 0xc0,
    level: 0x1f,
  };
}

/** Picture `n` of `size` bytes (a keyframe every 10th) at 10 fps; `mix` varies the payload bytes. */
export function picture(track: H264Track, n: number, size: number, mix = 7): Frame {
  const data = new Uint8Array(4 + size);
  new DataView(data.buffer).setUint32(0, size);
  data[4] = n % 10 === 0 ? 0x65 : 0x41;
  for (let i = 5; i < data.length; i++) data[i] = (i * mix + n) & 0xff;
  return { track, dts: n * 9000, pts: n * 9000, key: n % 10 === 0, data };
}

export interface WhepRig {
  stream: Stream;
  session: WhepSession;
  client: RTCPeerConnection;
  close(): Promise<void>;
}

/**
 * Publishes live/`name` with `track` and opens a WHEP session on a random port window from `portBase`
 * (+ up to 10,000, even); `dropPercent` is `<rtc>`'s simulated send loss.
 */
export async function whepRig(
  o: { name: string; track: H264Track; portBase: number; dropPercent?: number },
): Promise<WhepRig> {
  const hub = new Hub({
    liveApps: ["live"],
    recApps: [],
    gop: { enabled: true, maxFrames: 1000, maxBytes: 64 * 1024 * 1024 },
    maxIdleMs: 0,
  });
  const stream = await hub.publish({
    role: "publisher",
    protocol: "test",
    app: "live",
    name: o.name,
    vhost: "",
    query: "",
  });
  stream.setTrack(o.track);
  const min = o.portBase + 2 * Math.floor(Math.random() * 5000);
  const settings: WebrtcSettings = {
    ...webrtcSettings(defaultConfig())!,
    portRange: [min, min + 99],
    listenHost: "127.0.0.1",
    transcode: null,
    iceTcp: false,
    dropPercent: o.dropPercent ?? 0,
  };

  const session = await new WebrtcSessions(settings, nullLogger).openPlayer(stream, "test");
  const client = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ["127.0.0.1"],
    codecs: { video: [useH264()] },
  });
  client.addTransceiver("video", { direction: "recvonly" });
  return {
    stream,
    session,
    client,
    async close() {
      session.close("test over");
      await client.close();
      stream.end("test over");
      hub.close();
    },
  };
}
