/**
 * The analysis windows (ISO/IEC 14496-3 §4.6.11.3.2): sine and Kaiser-Bessel-derived (alpha 4 for
 * 2048-sample windows, 6 for 256), the same windows the decoder synthesises with, so that windowed
 * MDCT, IMDCT and overlap-add reconstruct. Rising halves only; a falling half is a rising one reversed.
 */

/** window_shape values. */
export const SINE_WINDOW = 0;
export const KBD_WINDOW = 1;

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

/** The rising half (N/2 values) of the KBD window of length N. */
export function kbdRise(n: number, alpha: number): Float64Array {
  const half = n / 2;
  const kernel = new Float64Array(half + 1);
  let total = 0;
  for (let j = 0; j <= half; j++) {
    const r = (j - n / 4) / (n / 4);
    kernel[j] = besselI0(Math.PI * alpha * Math.sqrt(Math.max(0, 1 - r * r)));
    total += kernel[j];
  }
  const out = new Float64Array(half);
  let acc = 0;
  for (let i = 0; i < half; i++) {
    acc += kernel[i];
    out[i] = Math.sqrt(acc / total);
  }
  return out;
}

/** The rising half of the sine window of length N. */
export function sineRise(n: number): Float64Array {
  return new Float64Array(n / 2).map((_, i) => Math.sin((Math.PI / n) * (i + 0.5)));
}

/** [window_shape] → rising half of the long (2048) and short (256) windows. */
export const LONG_RISE: readonly Float64Array[] = [sineRise(2048), kbdRise(2048, 4)];
export const SHORT_RISE: readonly Float64Array[] = [sineRise(256), kbdRise(256, 6)];
