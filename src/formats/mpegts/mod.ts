/** MPEG-TS (ISO/IEC 13818-1): pure bytes ⇄ Track/Frame. */
export {
  mod33,
  packetCount,
  type PacketHeader,
  type PacketizeOptions,
  parsePacket,
  PID_NULL,
  PID_PAT,
  readPcr,
  splitPayloads,
  SRT_PAYLOAD_SIZE,
  SYNC_BYTE,
  TS_PACKET_SIZE,
  writePacketHeader,
  writePackets,
  writePcr,
  writePcrPacket,
} from "./packet.ts";
export { TsAligner } from "./aligner.ts";
export {
  parsePesHeader,
  type PesHeader,
  type PesHeaderInit,
  pesHeaderSize,
  STREAM_ID_AUDIO,
  STREAM_ID_PRIVATE_1,
  STREAM_ID_VIDEO,
  writePesHeader,
} from "./pes.ts";
export {
  crc32Mpeg2,
  type Descriptor,
  encodeDescriptors,
  encodePat,
  encodePmt,
  parseDescriptors,
  parsePat,
  parsePmt,
  type Pat,
  type PatProgram,
  type Pmt,
  type PmtStream,
  psiPacketCount,
  sectionSize,
  STREAM_TYPE_AAC_ADTS,
  STREAM_TYPE_H264,
  STREAM_TYPE_H265,
  STREAM_TYPE_MPEG1_AUDIO,
  STREAM_TYPE_PRIVATE_PES,
  writePsiPackets,
} from "./psi.ts";
export { PID_AUDIO, PID_PMT, PID_VIDEO, tsCarries, TsMuxer, type TsMuxerOptions } from "./muxer.ts";
export { TsFanoutMuxer, type TsFanoutMuxerOptions } from "./fanout_muxer.ts";
export { TsDemuxer, type TsDemuxerHandlers, type TsDemuxerOptions, type TsDemuxerStats } from "./demuxer.ts";
