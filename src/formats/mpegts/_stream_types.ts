/** PMT stream_type (and descriptors) → the codec the demuxer parses it as. */
import {
  DESCRIPTOR_EXTENSION,
  DESCRIPTOR_REGISTRATION,
  parseDescriptors,
  type PmtStream,
  STREAM_TYPE_AAC_ADTS,
  STREAM_TYPE_H264,
  STREAM_TYPE_H265,
  STREAM_TYPE_MPEG1_AUDIO,
  STREAM_TYPE_MPEG2_AUDIO,
  STREAM_TYPE_PRIVATE_PES,
} from "./psi.ts";

/** Opus is private PES data (0x06) marked by a registration descriptor "Opus". */
export function codecOf(s: PmtStream): string | undefined {
  switch (s.type) {
    case STREAM_TYPE_H264:
      return "h264";
    case STREAM_TYPE_H265:
      return "h265";
    case STREAM_TYPE_AAC_ADTS:
      return "aac";
    case STREAM_TYPE_MPEG1_AUDIO:
    case STREAM_TYPE_MPEG2_AUDIO:
      return "mp3";
    case STREAM_TYPE_PRIVATE_PES:
      for (const d of parseDescriptors(s.descriptors)) {
        if (
          d.tag === DESCRIPTOR_REGISTRATION && d.data.length >= 4 && d.data[0] === 0x4f &&
          d.data[1] === 0x70 &&
          d.data[2] === 0x75 && d.data[3] === 0x73
        ) return "opus";
      }
      return undefined;
    default:
      return undefined;
  }
}

/** channel_config_code of the Opus extension descriptor: 0 is dual mono, 1..8 the count. */
export function opusChannels(s: PmtStream): number {
  for (const d of parseDescriptors(s.descriptors)) {
    if (d.tag === DESCRIPTOR_EXTENSION && d.data.length >= 2 && d.data[0] === 0x80) {
      const code = d.data[1];
      if (code >= 1 && code <= 8) return code;
      if (code >= 0x81 && code <= 0x88) return code & 0x0f;
      return 2;
    }
  }
  return 2;
}
