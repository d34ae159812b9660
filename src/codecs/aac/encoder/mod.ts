/** The AAC-LC encoder (ISO/IEC 14496-3 §4): Float32 planar PCM → raw access units. */
export {
  AAC_ENCODER_DELAY,
  AAC_FRAME_SAMPLES,
  AacEncoder,
  type AacEncoderOptions,
  type AacEncoderStats,
} from "./encoder.ts";
