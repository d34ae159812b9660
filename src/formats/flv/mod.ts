/** FLV: tags ⇄ Tracks/Frames, legacy and Enhanced RTMP. Pure bytes; no I/O. */
export {
  FLV_HEADER_SIZE,
  FLV_MAX_BODY,
  FLV_TAG_AUDIO,
  FLV_TAG_HEADER_SIZE,
  FLV_TAG_SCRIPT,
  FLV_TAG_VIDEO,
  flvHeader,
  type FlvTag,
  flvTag,
  FlvTagReader,
  type FlvTagType,
  readFlvTags,
  writeFlvTagHeader,
} from "./tag.ts";
export { FlvDemuxer, type FlvDemuxerOptions } from "./demux.ts";
export {
  audioFrameBody,
  audioFrameHeader,
  audioSequenceBody,
  type FlvMuxOptions,
  type FlvVideoForm,
  needsEnhanced,
  videoEndBody,
  videoFrameBody,
  videoFrameHeader,
  videoSequenceBody,
} from "./mux.ts";
export { type FlvMetadata, metadataObject } from "./metadata.ts";
export {
  AudioPacketType,
  AvcPacketType,
  FourCc,
  fourCc,
  fourCcString,
  SoundFormat,
  VideoCodecId,
  VideoFrameType,
  VideoPacketType,
} from "./codec_id.ts";
