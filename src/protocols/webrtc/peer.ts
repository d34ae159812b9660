/**
 * The werift peer connection of one session, configured the way a server needs it: host candidates
 * only (no STUN round trip before the answer), IPv4, UDP ports from `<rtp min max>`, and exactly the
 * negotiated codecs. Also the small waits werift has no promise for.
 */
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, useNACK, usePLI } from "werift";
import { hostAddresses, isWildcard } from "./ice.ts";
import type { RtpCodec } from "./codecs.ts";
import type { WebrtcSettings } from "./settings.ts";

/** werift's codec object for one negotiated codec (NACK and PLI feedback for video). */
export function codecParameters(c: RtpCodec): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: c.mimeType,
    clockRate: c.clockRate,
    channels: c.channels,
    payloadType: c.payloadType,
    parameters: c.fmtp === "" ? undefined : c.fmtp,
    rtcpFeedback: c.kind === "video" ? [useNACK(), usePLI()] : [],
  });
}

export function createPeer(
  s: WebrtcSettings,
  codecs: { video?: RtpCodec; audio?: RtpCodec },
  ports: [number, number],
): RTCPeerConnection {
  const listen = s.listenHost.replace(/^\[|\]$/g, "");
  return new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceUseTcp: false,
    icePortRange: ports,
    iceAdditionalHostAddresses: hostAddresses(s.listenHost, s.natHost),
    iceInterfaceAddresses: isWildcard(listen) ? undefined : { udp4: listen },
    codecs: {
      video: codecs.video ? [codecParameters(codecs.video)] : [],
      audio: codecs.audio ? [codecParameters(codecs.audio)] : [],
    },
  });
}

/** A track to send, tied to its codec so werift answers with exactly that payload of the offer. */
export function sendTrack(c: RtpCodec): MediaStreamTrack {
  return new MediaStreamTrack({ kind: c.kind, codec: codecParameters(c) });
}

/** Resolves once ICE gathering is complete (host candidates only: a few milliseconds). */
export function gathered(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((st) => {
      if (st === "complete") done();
    });
    function done() {
      clearTimeout(timer);
      unSubscribe();
      resolve();
    }
  });
}
