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
export { BadOfferError, NoCommonCodecError, WebrtcUnavailableError } from "./errors.ts";
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
// The sessions are types here: their modules (werift, the transcoder) load on the first session.
export type { WhepSession, WhepSessionStats } from "./whep_session.ts";
export type { WhipSession, WhipSessionStats } from "./whip_session.ts";
