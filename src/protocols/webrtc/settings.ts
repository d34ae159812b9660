/**
 * What WebRTC sessions are built from: the UDP port range, the addresses of the ICE host candidates,
 * the ICE servers handed to clients and the deadlines. `webrtcSettings(config)` is the only mapping
 * from the config; the HTTP service carries the result (WHIP and WHEP are HTTP features).
 */
import type { Config } from "../../config/mod.ts";
import type { BframesMode } from "./rtp_out.ts";

export interface IceServer {
  url: string;
  username: string;
  credential: string;
}

export interface WebrtcSettings {
  /**
   * UDP ports for ICE (`<rtp min max>`). werift opens its own socket per peer connection and host
   * address (it cannot share one port between peer connections), scanning this range for a free one.
   */
  portRange: [number, number];
  /**
   * The address the HTTP service listens on: a specific one is the only host candidate and the
   * sockets bind to it; "0.0.0.0" (or "::") means every IPv4 interface, loopback included.
   */
  listenHost: string;
  /** `<nat><rtp>`: a public address added as one more host candidate (same port); "" = none. */
  natHost: string;
  /** `<rtc><iceservers>`: handed to clients in `Link` headers, never used for the server's own gathering. */
  iceServers: IceServer[];
  /** A session whose ICE and DTLS have not connected by then is freed. */
  connectTimeoutMs: number;
  /** A connected viewer that sends no RTCP for this long has gone away without DELETE: it is freed. */
  silenceTimeoutMs: number;
  /** Largest RTP packet we build (header + payload), leaving room for header extensions and SRTP. */
  mtu: number;
  /** `<rtc><nackms>`: how long a stream's packets are kept to answer viewers' NACKs. */
  nackMs: number;
  /** `<rtc><bframes>`: H.264 B pictures left out for WebRTC viewers ("drop", the default) or sent. */
  bframes: BframesMode;
  /** Audio transcoding (`<rtc><transcode>`, bitrates); null = off: AAC sources play without audio. */
  transcode: AudioTranscodeSettings | null;
  /** `<rtc><icetcp>`: a passive TCP host candidate beside the UDP ones (RFC 6544), for clients without UDP. */
  iceTcp: boolean;
  /**
   * Test only (never from the config): the share of outgoing packets werift drops, to exercise NACKs.
   */
  dropPercent?: number;
}

/** The bitrates of the stream's audio transcoders (src/transcode), in bit/s. */
export interface AudioTranscodeSettings {
  /** AAC → Opus (`<rtc><opusbitrate>`); undefined = automatic: 96000 stereo, 48000 mono. */
  opusBitrate: number | undefined;
  /** Opus → AAC (`<rtc><aacbitrate>`), for the AAC encoder's outputs (RTMP, FLV, HLS) of Opus sources. */
  aacBitrate: number;
}

/** ICE and DTLS must connect within this (the brief's and browsers' usual failure horizon). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Chromium sends RTCP receiver reports every second or so; ten seconds of silence means it left. */
export const SILENCE_TIMEOUT_MS = 10_000;
/** 1200 bytes: below every path MTU, with room for the RTP header extensions and the SRTP tag. */
export const WEBRTC_MTU = 1200;

/** WebRTC's settings, or null when `<rtmp><haswebrtc>` is off. */
export function webrtcSettings(c: Config): WebrtcSettings | null {
  if (!c.rtmp.haswebrtc) return null;
  return {
    portRange: [c.rtp.min, Math.max(c.rtp.max, c.rtp.min + 1)],
    listenHost: c.http.ip || "0.0.0.0",
    natHost: c.nat.rtp.replace(/:\d+$/, ""),
    iceServers: c.rtc.iceservers.server.map((s) => ({ ...s })),
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    silenceTimeoutMs: SILENCE_TIMEOUT_MS,
    mtu: WEBRTC_MTU,
    nackMs: c.rtc.nackms,
    bframes: c.rtc.bframes,
    transcode: c.rtc.transcode
      ? {
        opusBitrate: c.rtc.opusbitrate ? c.rtc.opusbitrate * 1000 : undefined,
        aacBitrate: c.rtc.aacbitrate * 1000,
      }
      : null,
    iceTcp: c.rtc.icetcp,
  };
}
