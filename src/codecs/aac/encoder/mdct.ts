/**
 * The forward MDCT, the inverse of the decoder's IMDCT (ISO/IEC 14496-3 §4.6.11.3.1):
 *   X[k] = Σ_n z[n] · cos(2π/N · (n + n0) · (k + 1/2)),  n0 = (N/2 + 1)/2,  k < N/2,
 * so that the decoder's x[n] = 2/N · Σ_k X[k] cos(…), windowed and overlap-added, gives back the input.
 * The N windowed inputs are folded into a DCT-IV of N/2 points, computed through the decoder's complex
 * FFT of N/4 points with pre- and post-twiddles (computed at construction).
 */
import { Fft } from "../imdct.ts";

export class Mdct {
  readonly #n: number;
  readonly #fft: Fft;
  readonly #preCos: Float64Array;
  readonly #preSin: Float64Array;
  readonly #postCos: Float64Array;
  readonly #postSin: Float64Array;
  readonly #re: Float64Array;
  readonly #im: Float64Array;
  readonly #v: Float64Array;

  /** n: the window length (2048 or 256). */
  constructor(n: number) {
    this.#n = n;
    const half = n / 2;
    const quarter = n / 4;
    this.#fft = new Fft(quarter);
    this.#preCos = new Float64Array(quarter).map((_, k) => Math.cos((Math.PI * k) / half));
    this.#preSin = new Float64Array(quarter).map((_, k) => -Math.sin((Math.PI * k) / half));
    this.#postCos = new Float64Array(quarter).map((_, p) => Math.cos((Math.PI * (p + 0.25)) / half));
    this.#postSin = new Float64Array(quarter).map((_, p) => -Math.sin((Math.PI * (p + 0.25)) / half));
    this.#re = new Float64Array(quarter);
    this.#im = new Float64Array(quarter);
    this.#v = new Float64Array(half);
  }

  /** z[0..N) (already windowed) → out[at .. at+N/2). */
  run(z: Float64Array, out: Float64Array, at: number): void {
    const n = this.#n;
    const half = n / 2;
    const quarter = n / 4;
    const v = this.#v;
    // Fold the quarters a, b, c, d of z into v = (−c_r − d, a − b_r), a DCT-IV input of N/2 points.
    for (let j = 0; j < quarter; j++) {
      v[j] = -z[3 * quarter - 1 - j] - z[3 * quarter + j];
      v[quarter + j] = z[j] - z[half - 1 - j];
    }
    const re = this.#re;
    const im = this.#im;
    for (let k = 0; k < quarter; k++) {
      const a = v[2 * k];
      const b = v[half - 1 - 2 * k];
      const c = this.#preCos[k];
      const s = this.#preSin[k];
      re[k] = a * c - b * s;
      im[k] = a * s + b * c;
    }
    this.#fft.run(re, im);
    for (let p = 0; p < quarter; p++) {
      const c = this.#postCos[p];
      const s = this.#postSin[p];
      out[at + 2 * p] = re[p] * c - im[p] * s;
      out[at + half - 1 - 2 * p] = -(re[p] * s + im[p] * c);
    }
  }
}

/** The defining sum, O(N²): the reference the fast transform is tested against. */
export function mdctDirect(z: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n / 2);
  const n0 = (n / 2 + 1) / 2;
  for (let k = 0; k < n / 2; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += z[i] * Math.cos(((2 * Math.PI) / n) * (i + n0) * (k + 0.5));
    out[k] = s;
  }
  return out;
}
