/**
 * The inverse MDCT of ISO/IEC 14496-3 §4.6.11.3.1,
 *   x[n] = 2/N · Σ_k X[k] · cos(2π/N · (n + n0) · (k + 1/2)),  n0 = (N/2 + 1)/2,
 * computed as a DCT-IV of N/2 points (the IMDCT's output is that DCT-IV unfolded with its
 * symmetries), and the DCT-IV through a complex FFT of N/4 points with pre- and post-twiddles.
 * All twiddles are computed at construction.
 */

/** In-place radix-2 complex FFT (forward, e^(−2πi·pn/M)) of a fixed size M. */
export class Fft {
  readonly #size: number;
  readonly #rev: Uint32Array;
  readonly #cos: Float64Array;
  readonly #sin: Float64Array;

  constructor(size: number) {
    this.#size = size;
    const bits = Math.log2(size);
    this.#rev = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#rev[i] = r;
    }
    this.#cos = new Float64Array(size / 2).map((_, i) => Math.cos((2 * Math.PI * i) / size));
    this.#sin = new Float64Array(size / 2).map((_, i) => -Math.sin((2 * Math.PI * i) / size));
  }

  run(re: Float64Array, im: Float64Array): void {
    const n = this.#size;
    const rev = this.#rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    const cos = this.#cos;
    const sin = this.#sin;
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1;
      const step = n / len;
      for (let i = 0; i < n; i += len) {
        for (let j = 0, t = 0; j < half; j++, t += step) {
          const a = i + j;
          const b = a + half;
          const wr = cos[t];
          const wi = sin[t];
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

/** IMDCT of N/2 coefficients into N samples, for one window length N (2048 or 256). */
export class Imdct {
  readonly #n: number;
  readonly #fft: Fft;
  readonly #preCos: Float64Array;
  readonly #preSin: Float64Array;
  readonly #postCos: Float64Array;
  readonly #postSin: Float64Array;
  readonly #re: Float64Array;
  readonly #im: Float64Array;
  readonly #u: Float64Array;

  constructor(n: number) {
    this.#n = n;
    const half = n / 2; // DCT-IV size
    const quarter = n / 4; // FFT size
    this.#fft = new Fft(quarter);
    this.#preCos = new Float64Array(quarter).map((_, k) => Math.cos((Math.PI * k) / half));
    this.#preSin = new Float64Array(quarter).map((_, k) => -Math.sin((Math.PI * k) / half));
    this.#postCos = new Float64Array(quarter).map((_, p) => Math.cos((Math.PI * (p + 0.25)) / half));
    this.#postSin = new Float64Array(quarter).map((_, p) => -Math.sin((Math.PI * (p + 0.25)) / half));
    this.#re = new Float64Array(quarter);
    this.#im = new Float64Array(quarter);
    this.#u = new Float64Array(half);
  }

  /** spec[from .. from+N/2) → out[0..N), scaled by `scale` · 2/N. */
  run(spec: Float32Array, from: number, out: Float64Array, scale: number): void {
    const n = this.#n;
    const half = n / 2;
    const quarter = n / 4;
    const re = this.#re;
    const im = this.#im;
    for (let k = 0; k < quarter; k++) {
      const a = spec[from + 2 * k];
      const b = spec[from + half - 1 - 2 * k];
      const c = this.#preCos[k];
      const s = this.#preSin[k];
      re[k] = a * c - b * s;
      im[k] = a * s + b * c;
    }
    this.#fft.run(re, im);
    const u = this.#u;
    for (let p = 0; p < quarter; p++) {
      const c = this.#postCos[p];
      const s = this.#postSin[p];
      u[2 * p] = re[p] * c - im[p] * s;
      u[half - 1 - 2 * p] = -(re[p] * s + im[p] * c);
    }
    // Unfold: x[n] = u[n + N/4] (n < N/4), −u[3N/4 − 1 − n] (n < 3N/4), −u[n − 3N/4].
    const g = (2 / n) * scale;
    for (let i = 0; i < quarter; i++) out[i] = u[i + quarter] * g;
    for (let i = quarter; i < 3 * quarter; i++) out[i] = -u[3 * quarter - 1 - i] * g;
    for (let i = 3 * quarter; i < n; i++) out[i] = -u[i - 3 * quarter] * g;
  }
}

/** The defining sum, O(N²): the reference the fast transform is tested against. */
export function imdctDirect(spec: Float32Array, n: number): Float64Array {
  const out = new Float64Array(n);
  const n0 = (n / 2 + 1) / 2;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n / 2; k++) s += spec[k] * Math.cos(((2 * Math.PI) / n) * (i + n0) * (k + 0.5));
    out[i] = (2 / n) * s;
  }
  return out;
}
