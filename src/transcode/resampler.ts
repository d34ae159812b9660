/**
 * A polyphase resampler of our own (e.g. 44.1 kHz → 48 kHz for Opus): conceptually upsample by L,
 * low-pass with a Kaiser-windowed sinc, downsample by M, where L/M = outRate/inRate in lowest terms;
 * only the L phases of the filter that meet real input samples are ever computed. Streaming: any
 * chunk sizes, state carried between calls. The filter is designed at construction.
 */
import { ProtocolError } from "../core/errors.ts";

/** Taps per phase: the filter spans this many input samples. */
const TAPS = 64;
/** The filter's cutoff (−6 dB) as a fraction of the lower Nyquist frequency: flat to about 0.83 of it. */
const ROLLOFF = 0.91;
/** Kaiser window β (about 80 dB of stopband attenuation). */
const KAISER_BETA = 8;
/** L above this (odd explicit rates) would need a very large table. */
const MAX_PHASES = 4096;
/** Input samples kept between chunks: the filter span plus room for a negative start position. */
const HISTORY = TAPS + 8;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 100; k++) {
    term *= (x * x) / (4 * k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  readonly channels: number;
  /**
   * Output samples by which the output lags the input: an integer, exact (the start position is
   * chosen so that the filter's group delay falls on an output sample).
   */
  readonly delay: number;
  readonly #up: number; // L
  readonly #down: number; // M
  /** [phase * TAPS + k] = h[phase + k·L]. */
  readonly #phases: Float64Array;
  /** Per channel: the last HISTORY input samples, then room for a chunk. */
  readonly #work: Float32Array[];
  /** The next output's position in the upsampled domain, relative to the current chunk's start. */
  #pos = 0;
  readonly #start: number;
  readonly #identity: boolean;

  constructor(inRate: number, outRate: number, channels: number) {
    if (!Number.isInteger(inRate) || !Number.isInteger(outRate) || inRate <= 0 || outRate <= 0) {
      throw new ProtocolError(
        `resampler rates ${inRate} → ${outRate} are invalid: must be positive integers`,
      );
    }
    const g = gcd(inRate, outRate);
    const up = outRate / g;
    const down = inRate / g;
    if (down > 8 * up) {
      throw new ProtocolError(
        `resampling ${inRate} → ${outRate} Hz is not supported: at most 8× downsampling`,
      );
    }
    if (up > MAX_PHASES) {
      throw new ProtocolError(
        `resampling ${inRate} → ${outRate} Hz is not supported: needs ${up} phases, at most ${MAX_PHASES}`,
      );
    }
    this.inRate = inRate;
    this.outRate = outRate;
    this.channels = channels;
    this.#up = up;
    this.#down = down;
    // An odd length (the last slot stays zero) puts the filter's centre on an upsampled sample.
    const n = TAPS * up - 1;
    // Cutoff as a fraction of the upsampled rate L·inRate.
    const fc = (ROLLOFF * 0.5 * Math.min(inRate, outRate)) / (up * inRate);
    const center = (n - 1) / 2;
    const i0Beta = besselI0(KAISER_BETA);
    this.#phases = new Float64Array(TAPS * up);
    for (let j = 0; j < n; j++) {
      const x = j - center;
      const sinc = x === 0 ? 1 : Math.sin(2 * Math.PI * fc * x) / (2 * Math.PI * fc * x);
      const r = x / (n / 2);
      const w = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
      const h = up * 2 * fc * sinc * w;
      const phase = j % up;
      const k = (j - phase) / up;
      this.#phases[phase * TAPS + k] = h;
    }
    // Output n is computed at upsampled position pos0 + n·M and represents input time
    // pos0 + n·M − centre; pos0 = centre − D·M makes that (n − D)·M: a delay of exactly D outputs.
    this.delay = inRate === outRate ? 0 : Math.ceil(center / down);
    this.#pos = this.#start = center - this.delay * down;
    this.#identity = inRate === outRate;
    this.#work = Array.from({ length: channels }, () => new Float32Array(HISTORY + 4096));
  }

  /** Output samples the next `inputLength` input samples will produce (per channel). */
  outputLength(inputLength: number): number {
    if (this.#identity) return inputLength;
    const end = inputLength * this.#up;
    return this.#pos >= end ? 0 : Math.ceil((end - this.#pos) / this.#down);
  }

  /**
   * Resamples one chunk (planes of equal length) into new planes. The hot loop: no allocation but
   * the output planes (a work buffer per channel holds the history and the chunk, grown rarely), the
   * filter phase and input position stepped with integers instead of a division per output sample.
   */
  process(planes: readonly Float32Array[]): Float32Array[] {
    if (this.#identity) return planes.map((p) => p.slice());
    const len = planes[0]?.length ?? 0;
    const count = this.outputLength(len);
    const up = this.#up;
    const phases = this.#phases;
    // pos = base·L + phase; each output advances pos by M = baseStep·L + phaseStep.
    const baseStep = Math.floor(this.#down / up);
    const phaseStep = this.#down - baseStep * up;
    const base0 = Math.floor(this.#pos / up);
    const phase0 = this.#pos - base0 * up;
    const out: Float32Array[] = [];
    for (let c = 0; c < this.channels; c++) {
      let x = this.#work[c];
      if (x.length < HISTORY + len) {
        const bigger = new Float32Array(HISTORY + 2 * len);
        bigger.set(x.subarray(0, HISTORY));
        x = this.#work[c] = bigger;
      }
      x.set(planes[c], HISTORY);
      const y = new Float32Array(count);
      let idx = HISTORY + base0;
      let phase = phase0;
      for (let n = 0; n < count; n++) {
        const at = phase * TAPS;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < TAPS; k += 4) {
          s0 += phases[at + k] * x[idx - k];
          s1 += phases[at + k + 1] * x[idx - k - 1];
          s2 += phases[at + k + 2] * x[idx - k - 2];
          s3 += phases[at + k + 3] * x[idx - k - 3];
        }
        y[n] = (s0 + s1) + (s2 + s3);
        idx += baseStep;
        phase += phaseStep;
        if (phase >= up) {
          phase -= up;
          idx++;
        }
      }
      x.copyWithin(0, len, len + HISTORY);
      out.push(y);
    }
    this.#pos += count * this.#down - len * up;
    return out;
  }

  /** Forgets the history (after a gap in the input). */
  reset(): void {
    for (const w of this.#work) w.fill(0, 0, HISTORY);
    this.#pos = this.#start;
  }
}
