/** Fragmented MP4 (ISO/IEC 14496-12/-15, Opus in ISOBMFF): init and media segments from Track/Frame. */
export {
  type Box,
  box,
  children,
  concatBytes,
  findBox,
  fourcc,
  fullBox,
  parseBoxes,
  u16,
  u24,
  u32,
  u64,
  u8,
  writeBoxHeader,
  zeros,
} from "./box.ts";
export { fmp4Carries, sampleEntry } from "./sample_entry.ts";
export { initSegment } from "./init.ts";
export {
  mediaSegment,
  type MediaSegmentInit,
  SAMPLE_FLAGS_NON_SYNC,
  SAMPLE_FLAGS_SYNC,
  type SegmentTrack,
} from "./segment.ts";
/** RFC 6381 codecs strings (`avc1.64001f`, `hvc1.1.6.L93.B0`, `mp4a.40.2`, `opus`) live in codecs. */
export { codecString } from "../../codecs/mod.ts";
