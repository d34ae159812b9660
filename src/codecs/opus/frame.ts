/**
 * Opus framing facts, apart from the encoder so that code which only needs them (the transcoders'
 * timelines) does not load libopus' WebAssembly.
 */

/** Samples per channel of one 20 ms frame at 48 kHz (the Opus clock of every timestamp). */
export const OPUS_FRAME_SAMPLES = 960;

/** Input rates libopus takes without resampling (RFC 6716 §2). */
export const OPUS_INPUT_RATES = [8000, 12000, 16000, 24000, 48000] as const;
export type OpusInputRate = typeof OPUS_INPUT_RATES[number];
