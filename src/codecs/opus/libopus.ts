/**
 * The one place that touches libopus: the WebAssembly build of libopus shipped in the
 * `@evan/opus` package (MIT; libopus itself is BSD-licensed). Only its `wasm/` entry is loaded,
 * never the package's native addons. Everything else uses the OpusEncoder/OpusDecoder interfaces.
 */
// @ts-types="./libopus_wasm.d.ts"
import { Decoder, Encoder } from "@evan/opus/wasm/index.js";

/** libopus CTL requests (opus_defines.h). */
export const OPUS_SET_BITRATE = 4002;
export const OPUS_SET_COMPLEXITY = 4010;
export const OPUS_SET_VBR = 4006;
export const OPUS_GET_LOOKAHEAD = 4027;
export const OPUS_SET_SIGNAL = 4024;
/** OPUS_SET_SIGNAL values: what the input is, a hint to the SILK/CELT mode decision. */
export const OPUS_SIGNAL_VOICE = 3001;
export const OPUS_SIGNAL_MUSIC = 3002;

/** One libopus encoder, on interleaved Int16 PCM at its input rate. */
export interface LibOpusEncoder {
  /** One packet for pcm (interleaved, as bytes); a copy. */
  encode(pcm: Uint8Array): Uint8Array;
  ctl(request: number, value?: number): number;
  drop(): void;
}

/** One libopus decoder at 48 kHz; output is interleaved Int16 PCM as bytes (a copy). */
export interface LibOpusDecoder {
  decode(packet: Uint8Array): Uint8Array;
  drop(): void;
}

export function libOpusEncoder(channels: number, sampleRate: number): LibOpusEncoder {
  return new Encoder({ channels, sample_rate: sampleRate, application: "audio" });
}

export function libOpusDecoder(channels: number): LibOpusDecoder {
  return new Decoder({ channels, sample_rate: 48000 });
}
