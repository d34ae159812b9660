/**
 * The Opus encoder (RFC 6716) behind our own interface: 48 kHz, mono or stereo, a target bitrate,
 * 20 ms frames (960 samples per channel). Input is Float32 planar in [−1, 1), as the AAC decoder
 * and the resampler produce it.
 */
import { OpusError } from "./errors.ts";
import {
  type LibOpusEncoder,
  libOpusEncoder,
  OPUS_GET_LOOKAHEAD,
  OPUS_SET_BITRATE,
  OPUS_SET_COMPLEXITY,
  OPUS_SET_SIGNAL,
  OPUS_SET_VBR,
  OPUS_SIGNAL_MUSIC,
  OPUS_SIGNAL_VOICE,
} from "./libopus.ts";

import { OPUS_FRAME_SAMPLES, OPUS_INPUT_RATES, type OpusInputRate } from "./frame.ts";

export { OPUS_FRAME_SAMPLES, OPUS_INPUT_RATES, type OpusInputRate };

export interface OpusEncoderOptions {
  channels: 1 | 2;
  /**
   * Input sampling rate (default 48000). A source at 8, 12, 16 or 24 kHz is encoded as it is, with
   * no resampling; decoders output 48 kHz (or any rate) either way.
   */
  sampleRate?: OpusInputRate;
  /** Target bits per second, 6000..510000 (Opus default in Estuary: 96000 stereo). */
  bitrate: number;
  /** Variable bitrate (libopus's default, true) or constant bitrate (false). */
  vbr?: boolean;
  /**
   * libopus complexity 0..10 (default 10, as ffmpeg's). Lower is faster: on this machine a 16 kHz
   * mono source (SILK) encodes at about 41× real time at 8–10, 56× at 7 and 170× at 6, for about
   * 2.5–5 dB less SNR on speech; 48 kHz stereo (CELT) runs at about 140× at 10.
   */
  complexity?: number;
  /**
   * What the input is (default "auto": libopus guesses per frame). A hint to its mode decision:
   * "music" makes it choose CELT (the transform coder) down to 16 kbit/s, "voice" SILK (linear
   * prediction) up to 64 kbit/s mono / 36 stereo; SILK at complexity 8–10 is several times slower.
   */
  signal?: "auto" | "voice" | "music";
}

export class OpusEncoder {
  readonly channels: 1 | 2;
  readonly sampleRate: OpusInputRate;
  /** Samples per channel of one 20 ms frame at the input rate. */
  readonly frameSamples: number;
  /**
   * The encoder's look-ahead in samples at the input rate (×48000/sampleRate: the OpusHead pre-skip
   * of a stream it starts).
   */
  readonly lookahead: number;
  readonly #lib: LibOpusEncoder;
  readonly #pcm: Int16Array;
  #closed = false;

  constructor(o: OpusEncoderOptions) {
    if (o.channels !== 1 && o.channels !== 2) {
      throw new OpusError(`Opus encoder channel count ${o.channels} is invalid: must be 1 or 2`);
    }
    if (!(o.bitrate >= 6000 && o.bitrate <= 510000)) {
      throw new OpusError(`Opus bitrate ${o.bitrate} is invalid: must be 6000..510000 bit/s`);
    }
    const rate = o.sampleRate ?? 48000;
    const complexity = o.complexity ?? 10;
    if (!Number.isInteger(complexity) || complexity < 0 || complexity > 10) {
      throw new OpusError(`Opus complexity ${complexity} is invalid: must be an integer 0..10`);
    }
    if (!OPUS_INPUT_RATES.includes(rate)) {
      throw new OpusError(
        `Opus input rate ${rate} is invalid: must be one of ${OPUS_INPUT_RATES.join(", ")}`,
      );
    }
    this.channels = o.channels;
    this.sampleRate = rate;
    this.frameSamples = rate / 50;
    this.#lib = libOpusEncoder(o.channels, rate);
    this.#lib.ctl(OPUS_SET_BITRATE, o.bitrate);
    this.#lib.ctl(OPUS_SET_COMPLEXITY, complexity);
    if (o.vbr === false) this.#lib.ctl(OPUS_SET_VBR, 0);
    if (o.signal === "music") this.#lib.ctl(OPUS_SET_SIGNAL, OPUS_SIGNAL_MUSIC);
    else if (o.signal === "voice") this.#lib.ctl(OPUS_SET_SIGNAL, OPUS_SIGNAL_VOICE);
    this.lookahead = this.#lib.ctl(OPUS_GET_LOOKAHEAD);
    this.#pcm = new Int16Array(this.frameSamples * o.channels);
  }

  /** Encodes one 20 ms frame: `planes[c]` holds frameSamples samples of channel c. Returns one packet. */
  encode(planes: readonly Float32Array[]): Uint8Array {
    if (this.#closed) throw new OpusError("Opus encoder is closed: encode after close() is invalid");
    const ch = this.channels;
    if (planes.length !== ch) {
      throw new OpusError(`Opus frame with ${planes.length} channels is invalid: the encoder has ${ch}`);
    }
    const pcm = this.#pcm;
    for (let c = 0; c < ch; c++) {
      const p = planes[c];
      const n = this.frameSamples;
      if (p.length !== n) {
        throw new OpusError(`Opus frame of ${p.length} samples is invalid: must be ${n} (20 ms)`);
      }
      for (let i = 0; i < n; i++) {
        const v = Math.round(p[i] * 32768);
        pcm[i * ch + c] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
    }
    return this.#lib.encode(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lib.drop();
  }
}
