/** SDP (RFC 8866) parse/build and the media description ⇄ Track mapping used by RTSP. */
export { attribute, attributes, buildSdp, fmtp, parseSdp, rtpmap } from "./sdp.ts";
export type { RtpMap, Sdp, SdpMedia } from "./sdp.ts";
export { defaultPayloadType, describeTrack, mediaInfo, toBase64 } from "./track_sdp.ts";
export type { DescribeOptions, MediaInfo, UnsupportedMedia } from "./track_sdp.ts";
