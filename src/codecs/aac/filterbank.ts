/**
 * The filterbank (ISO/IEC 14496-3 §4.6.11): IMDCT, windowing with sine or Kaiser-Bessel-derived
 * windows (the previous frame's window_shape shapes the left half, this frame's the right half),
 * block switching between ONLY_LONG, LONG_START, EIGHT_SHORT and LONG_STOP, and overlap-add.
 * The windows are computed at load.
 */
import { EIGHT_SHORT_SEQUENCE, type IcsState, LONG_START_SEQUENCE, LONG_STOP_SEQUENCE } from "./ics.ts";
import { Imdct } from "./imdct.ts";

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 100; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** The rising half (N/2 values) of the KBD window of length N with parameter alpha (§4.6.11.3.2). */
function kbdRise(n: number, alpha: number): Float64Array {
  const half = n / 2;
  const kernel = new Float64Array(half + 1);
  for (let j = 0; j <= half; j++) {
    const r = (j - n / 4) / (n / 4);
    kernel[j] = besselI0(Math.PI * alpha * Math.sqrt(Math.max(0, 1 - r * r)));
  }
  let total = 0;
  for (let j = 0; j <= half; j++) total += kernel[j];
  const out = new Float64Array(half);
  let acc = 0;
  for (let i = 0; i < half; i++) {
    acc += kernel[i];
    out[i] = Math.sqrt(acc / total);
  }
  return out;
}

/** The rising half of the sine window of length N. */
function sineRise(n: number): Float64Array {
  return new Float64Array(n / 2).map((_, i) => Math.sin((Math.PI / n) * (i + 0.5)));
}

/** [window_shape] → rising half; 0 = sine, 1 = KBD (alpha 4 long, 6 short). */
const LONG_RISE = [sineRise(2048), kbdRise(2048, 4)];
const SHORT_RISE = [sineRise(256), kbdRise(256, 6)];

const IMDCT_LONG = new Imdct(2048);
const IMDCT_SHORT = new Imdct(256);

/** Output scale: the standard's IMDCT yields 16-bit PCM units; we output floats in [−1, 1). */
const PCM_SCALE = 1 / 32768;

/** One channel's filterbank state: the second half of the last frame and its window shape. */
export class Filterbank {
  readonly #overlap = new Float64Array(1024);
  readonly #buf = new Float64Array(2048);
  readonly #short = new Float64Array(256);
  #prevShape = 0;

  /** Transforms ics.spec into 1024 samples written to out. */
  run(ics: IcsState, out: Float32Array): void {
    const buf = this.#buf;
    const prev = this.#prevShape;
    const cur = ics.windowShape;
    const seq = ics.windowSequence;
    if (seq === EIGHT_SHORT_SEQUENCE) {
      buf.fill(0);
      const s = this.#short;
      for (let w = 0; w < 8; w++) {
        IMDCT_SHORT.run(ics.spec, w * 128, s, PCM_SCALE);
        const rise = SHORT_RISE[w === 0 ? prev : cur];
        const fall = SHORT_RISE[cur];
        const at = 448 + 128 * w;
        for (let i = 0; i < 128; i++) buf[at + i] += s[i] * rise[i];
        for (let i = 0; i < 128; i++) buf[at + 128 + i] += s[128 + i] * fall[127 - i];
      }
    } else {
      IMDCT_LONG.run(ics.spec, 0, buf, PCM_SCALE);
      if (seq === LONG_STOP_SEQUENCE) {
        const rise = SHORT_RISE[prev];
        buf.fill(0, 0, 448);
        for (let i = 0; i < 128; i++) buf[448 + i] *= rise[i];
      } else {
        const rise = LONG_RISE[prev];
        for (let i = 0; i < 1024; i++) buf[i] *= rise[i];
      }
      if (seq === LONG_START_SEQUENCE) {
        const fall = SHORT_RISE[cur];
        for (let i = 0; i < 128; i++) buf[1472 + i] *= fall[127 - i];
        buf.fill(0, 1600, 2048);
      } else {
        const fall = LONG_RISE[cur];
        for (let i = 0; i < 1024; i++) buf[1024 + i] *= fall[1023 - i];
      }
    }
    const overlap = this.#overlap;
    for (let i = 0; i < 1024; i++) {
      out[i] = overlap[i] + buf[i];
      overlap[i] = buf[1024 + i];
    }
    this.#prevShape = cur;
  }

  /** Forgets the overlap (after a gap or an error). */
  reset(): void {
    this.#overlap.fill(0);
    this.#prevShape = 0;
  }
}
