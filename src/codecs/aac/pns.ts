/**
 * Perceptual noise substitution (ISO/IEC 14496-3 §4.6.13): a band coded with NOISE_HCB is filled
 * with random values scaled to the transmitted energy. The standard leaves the generator open;
 * this is a 32-bit linear congruential generator, one per decoder.
 */
import { type IcsState, MAX_SFB, NOISE_HCB } from "./ics.ts";

export class NoiseGenerator {
  #state = 0x2545f491;

  /** A uniform value in [−1, 1). */
  next(): number {
    this.#state = (Math.imul(this.#state, 1664525) + 1013904223) | 0;
    return this.#state / 2147483648;
  }
}

/**
 * Fills the noise bands of one channel. `correlated(g, sfb)` says a band takes the noise of
 * `other` (the left channel of a CPE with ms_used set on a band that is noise in both, §4.6.13.3).
 */
export function applyPns(
  ics: IcsState,
  rng: NoiseGenerator,
  other?: IcsState,
  correlated?: (g: number, sfb: number) => boolean,
): void {
  const { spec, swbOffset: swb } = ics;
  let firstWindow = 0;
  for (let g = 0; g < ics.numWindowGroups; g++) {
    const groupLength = ics.windowGroupLength[g];
    for (let sfb = 0; sfb < ics.maxSfb; sfb++) {
      const i = g * MAX_SFB + sfb;
      if (ics.sfbCb[i] !== NOISE_HCB) continue;
      const target = Math.pow(2, ics.sf[i] / 4);
      const copy = other !== undefined && correlated !== undefined && other.sfbCb[i] === NOISE_HCB &&
        correlated(g, sfb);
      for (let w = 0; w < groupLength; w++) {
        const base = (firstWindow + w) * 128;
        const start = base + swb[sfb];
        const end = base + swb[sfb + 1];
        let energy = 0;
        for (let k = start; k < end; k++) {
          const v = copy ? other.spec[k] : rng.next();
          spec[k] = v;
          energy += v * v;
        }
        const scale = energy > 0 ? target / Math.sqrt(energy) : 0;
        for (let k = start; k < end; k++) spec[k] *= scale;
      }
    }
    firstWindow += groupLength;
  }
}
