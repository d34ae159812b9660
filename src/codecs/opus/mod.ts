/** Opus encode and decode (libopus in WebAssembly) behind Estuary's own interface. */
export { OPUS_FRAME_SAMPLES, OpusEncoder, type OpusEncoderOptions } from "./encoder.ts";
export { OpusDecoder } from "./decoder.ts";
export { OpusError } from "./errors.ts";
