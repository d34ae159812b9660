/**
 * WebRTC (WHEP playback, WHIP ingest) on werift: codec negotiation against the client's offer,
 * the per-stream shared RTP packets, ICE host candidates and the sessions. The HTTP routes that
 * carry the signalling are in src/http/whep.ts.
 */
export {
  audioFor,
  type IngestCodecs,
  negotiate,
  type Negotiated,
  negotiateIngest,
  type RtpCodec,
} from "./codecs.ts";
export { BadOfferError, NoCommonCodecError } from "./errors.ts";
export { hostAddresses, iceServerLinks, isWildcard } from "./ice.ts";
export { RTP_OUT_ID, WebrtcRtpOut } from "./rtp_out.ts";
export { type WebrtcSession, WebrtcSessions, type WebrtcStats } from "./sessions.ts";
export {
  CONNECT_TIMEOUT_MS,
  type IceServer,
  SILENCE_TIMEOUT_MS,
  WEBRTC_MTU,
  type WebrtcSettings,
  webrtcSettings,
} from "./settings.ts";
export { parseTrickleFragment, type TrickleCandidate } from "./trickle.ts";
export { WhepSession, type WhepSessionStats } from "./whep_session.ts";
export { PERIODIC_PLI_MS, WhipSession, type WhipSessionStats } from "./whip_session.ts";
