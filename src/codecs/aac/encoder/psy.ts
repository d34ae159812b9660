/**
 * A psychoacoustic model simple enough to be fast. Per unit (window group × scalefactor band):
 * - the band energy, spread to the neighbouring bands (a masker reaches up by −12 dB per band and
 *   down by −25 dB per band);
 * - the allowed noise per coefficient, relative: (spread energy per coefficient)^GAMMA. GAMMA = 1
 *   would be a pure masking threshold (noise a fixed ratio below the signal in every band); 0 a
 *   flat noise floor (best SNR for the bits). In between keeps loud bands' noise under the signal
 *   without starving quiet bands; the rate control scales it by one factor per frame;
 * - the absolute threshold of hearing (Terhardt's approximation, full scale = 96 dB SPL) as a
 *   floor: noise below it costs no bits.
 */
import { MAX_SFB } from "../ics.ts";
import { type ChannelData, isShort, type Layout } from "./channel.ts";

const GAMMA = 0.6;
const SPREAD_UP = Math.pow(10, -1.2);
const SPREAD_DOWN = Math.pow(10, -2.5);

/**
 * The threshold is capped: it rises steeply above 15 kHz, and a floor that high would leave audible
 * (and, for the SNR, costly) bands uncoded on loud playback.
 */
const ATH_CAP_DB = 30;

/** Absolute threshold of hearing in dB SPL at f Hz (capped). */
function athDb(f: number): number {
  const k = Math.max(f, 20) / 1000;
  return Math.min(
    ATH_CAP_DB,
    3.64 * Math.pow(k, -0.8) - 6.5 * Math.exp(-0.6 * (k - 3.3) ** 2) + 1e-3 * k ** 4,
  );
}

/**
 * log2 of the threshold-of-hearing noise per coefficient of each band for a window of m
 * coefficients: a band of W coefficients with variance v per coefficient carries a time-domain power
 * of W·v/(2m²) (16-bit units), and a full-scale sine (power 2^29) is 96 dB SPL.
 */
function athTable(swb: Int16Array, m: number, sampleRate: number): Float64Array {
  const out = new Float64Array(swb.length - 1);
  for (let b = 0; b < out.length; b++) {
    let db = Infinity;
    for (let k = swb[b]; k < swb[b + 1]; k++) db = Math.min(db, athDb(((k + 0.5) * sampleRate) / (2 * m)));
    const power = Math.pow(2, 29) * Math.pow(10, (db - 96) / 10);
    const width = swb[b + 1] - swb[b];
    out[b] = Math.log2((2 * power * m * m) / width);
  }
  return out;
}

export class Psy {
  readonly #athLong: Float64Array;
  readonly #athShort: Float64Array;
  readonly #spread = new Float64Array(MAX_SFB);

  constructor(sampleRate: number, long: Int16Array, short: Int16Array) {
    this.#athLong = athTable(long, 1024, sampleRate);
    this.#athShort = athTable(short, 128, sampleRate);
  }

  /** Fills energy, width, noiseRel and noiseAbs of every unit below layout.bandLimit. */
  analyse(layout: Layout, ch: ChannelData): void {
    const ath = isShort(layout) ? this.#athShort : this.#athLong;
    const swb = layout.swb;
    const bands = layout.bandLimit;
    const spec = ch.spec;
    const spread = this.#spread;
    let firstWindow = 0;
    for (let g = 0; g < layout.groups.length; g++) {
      const len = layout.groups[g];
      for (let sfb = 0; sfb < bands; sfb++) {
        let e = 0;
        for (let w = 0; w < len; w++) {
          const base = (firstWindow + w) * 128;
          for (let k = base + swb[sfb]; k < base + swb[sfb + 1]; k++) e += spec[k] * spec[k];
        }
        const u = g * MAX_SFB + sfb;
        ch.energy[u] = e;
        ch.width[u] = (swb[sfb + 1] - swb[sfb]) * len;
        spread[sfb] = e / ch.width[u];
      }
      for (let sfb = 1; sfb < bands; sfb++) spread[sfb] = Math.max(spread[sfb], spread[sfb - 1] * SPREAD_UP);
      for (let sfb = bands - 2; sfb >= 0; sfb--) {
        spread[sfb] = Math.max(spread[sfb], spread[sfb + 1] * SPREAD_DOWN);
      }
      for (let sfb = 0; sfb < bands; sfb++) {
        const u = g * MAX_SFB + sfb;
        ch.noiseRel[u] = GAMMA * Math.log2(spread[sfb] + 1e-9);
        ch.noiseAbs[u] = ath[sfb];
      }
      firstWindow += len;
    }
  }
}
