/**
 * RTP (RFC 3550) and its payload formats: H.264 (RFC 6184), H.265 (RFC 7798), VP8 (RFC 7741),
 * VP9 (RFC 9628), AV1 (AOMedia), AAC (RFC 3640), Opus (RFC 7587), G.711 (RFC 3551); RTCP reports; the receive path (reorder, timing, depacketize).
 */
export { buildRtp, parseRtp, RTP_HEADER_SIZE, seqDelta, writeRtpHeader } from "./packet.ts";
export type { RtpHeader, RtpPacket } from "./packet.ts";
export { h264Payloads, H264Unpacker } from "./h264.ts";
export { h265Payloads, H265Unpacker } from "./h265.ts";
export { vp8Descriptor, vp8Payloads } from "./vp8.ts";
export { vp9Payloads, type Vp9PictureInfo } from "./vp9.ts";
export { av1Payloads } from "./av1.ts";
export { AAC_HBR, aacPayload, aacPayloads, AacUnpacker, type AuHeaderLayout } from "./aac.ts";
export { canPacketize, type PacketizerOptions, packetizes, RtpPacketizer } from "./packetizer.ts";
export { createDepacketizer } from "./depacketizer.ts";
export type { Depacketizer, DepacketizerOptions, DepacketizerStats, RtpUnit } from "./depacketizer.ts";
export { type Ordered, ReorderBuffer, type ReorderStats } from "./reorder.ts";
export { rescale, SessionClock, TimestampUnwrapper, TrackClock } from "./timeline.ts";
export { DtsExtractor } from "./dts.ts";
export { type ReceiverOptions, type ReceiverStats, RtpReceiver } from "./receiver.ts";
export {
  buildBye,
  buildReceiverReport,
  buildSenderReport,
  parseRtcp,
  type ReceiverReport,
  type ReportBlock,
  RTCP_BYE,
  RTCP_RR,
  RTCP_SR,
  type RtcpPacket,
  type SenderReport,
} from "./rtcp.ts";
