/** The AAC-LC decoder (ISO/IEC 14496-3 §4): raw access units → Float32 planar PCM. */
export { AacDecoder, type AacDecoderInfo, type AacDecoderStats } from "./decoder.ts";
export { AacError } from "./errors.ts";
export {
  AAC_ENCODER_DELAY,
  AAC_FRAME_SAMPLES,
  AacEncoder,
  type AacEncoderOptions,
  type AacEncoderStats,
} from "./encoder/mod.ts";
