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
  videoCodecId,
  videoEndBody,
  videoFrameBody,
  videoFrameHeader,
  videoSequenceBody,
} from "./mux.ts";
export { type FlvMetadata, liveMetadata, metadataObject } from "./metadata.ts";
export {
  type FlvHeaderSource,
  FlvTagMuxer,
  type FlvTagMuxerOptions,
  type FlvTagWriter,
} from "./tag_muxer.ts";
export { FlvFanoutMuxer, type FlvFanoutMuxerOptions } from "./fanout_muxer.ts";
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
