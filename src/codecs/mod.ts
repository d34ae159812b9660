/** Codec helpers: parameter-set parsing, config records, NAL/OBU framing. Pure functions, no I/O. */
import type { Track } from "../core/track.ts";
import { aacCodecString } from "./aac.ts";
import { av1CodecString } from "./av1.ts";
import { h264CodecString } from "./h264.ts";
import { h265CodecString } from "./h265.ts";
import { parseVpcc } from "./vp9.ts";

export { BitReader, unescapeRbsp } from "./bit_reader.ts";
export { annexBToAvcc, avccToAnnexB, joinAnnexB, joinAvcc, splitAnnexB, splitAvcc } from "./nal.ts";
export {
  type Avcc,
  buildAvcc,
  h264CodecString,
  H264Nal,
  h264NalType,
  h264ReorderDepth,
  type H264Sps,
  h264Track,
  h264TrackFromAvcc,
  isH264Keyframe,
  parseAvcc,
  parseH264Sps,
} from "./h264.ts";
export {
  buildHvcc,
  h265CodecString,
  H265Nal,
  h265NalType,
  type H265Ptl,
  h265ReorderDepth,
  type H265Sps,
  h265Track,
  h265TrackFromHvcc,
  type Hvcc,
  isH265Keyframe,
  parseH265Sps,
  parseHvcc,
} from "./h265.ts";
export {
  AAC_SAMPLE_RATES,
  aacCodecString,
  aacFrameSamples,
  aacTrack,
  type AudioSpecificConfig,
  buildAsc,
  parseAsc,
} from "./aac.ts";
export { type AdtsHeader, buildAdtsHeader, parseAdtsHeader, splitAdts } from "./adts.ts";
export { buildOpusHead, type OpusHead, opusPacketSamples, opusTrack, parseOpusHead } from "./opus.ts";
export { g711FrameSamples, g711Track } from "./g711.ts";
export { mp3Track, type MpegAudioHeader, parseMpegAudioHeader, splitMpegAudio } from "./mp3.ts";
export {
  av1CodecString,
  type Av1Config,
  type Av1SequenceHeader,
  av1Track,
  buildAv1c,
  findAv1SequenceHeader,
  isAv1Keyframe,
  type Obu,
  OBU_SEQUENCE_HEADER,
  OBU_TEMPORAL_DELIMITER,
  parseAv1c,
  parseAv1SequenceHeader,
  splitObus,
} from "./av1.ts";
export { buildVpcc, parseVp9Frame, parseVpcc, type Vp9FrameInfo, vp9Track } from "./vp9.ts";
export { parseVp8Frame, vp8Track } from "./vp8.ts";

/** RFC 6381 codecs string for HLS/DASH/MSE; undefined for codecs without one we can derive. */
export function codecString(track: Track): string | undefined {
  switch (track.codec) {
    case "h264":
      return h264CodecString(track);
    case "h265":
      return h265CodecString(track);
    case "av1":
      return av1CodecString(track);
    case "aac":
      return aacCodecString(track);
    case "opus":
      return "opus";
    case "mp3":
      return "mp4a.40.34";
    case "vp8":
      return "vp8";
    case "vp9": {
      const c = track.config ? parseVpcc(track.config) : { profile: 0, level: 10, bitDepth: 8 };
      const two = (n: number) => String(n).padStart(2, "0");
      return `vp09.${two(c.profile)}.${two(c.level || 10)}.${two(c.bitDepth || 8)}`;
    }
    default:
      return undefined;
  }
}
