/** Opus encode and decode (libopus in WebAssembly) behind Estuary's own interface. */
export {
  OPUS_FRAME_SAMPLES,
  OPUS_INPUT_RATES,
  OpusEncoder,
  type OpusEncoderOptions,
  type OpusInputRate,
} from "./encoder.ts";
export { OpusDecoder } from "./decoder.ts";
export { OpusError } from "./errors.ts";
