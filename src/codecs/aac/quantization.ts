/**
 * Inverse quantisation and scaling (ISO/IEC 14496-3 §4.6.1, §4.6.2):
 * x = sign(q)·|q|^(4/3) · 2^((sf − 100)/4). Both factors are computed at load, not tabled.
 */
import { AacError } from "./errors.ts";
import { type IcsState, MAX_SFB, NOISE_HCB, ZERO_HCB } from "./ics.ts";

/** Largest quantised magnitude (an escape codes at most 8191). */
const MAX_QUANT = 8191;
const SF_OFFSET = 100;

const POW43 = new Float64Array(MAX_QUANT + 1).map((_, i) => Math.pow(i, 4 / 3));
/** 2^((sf − 100)/4) for sf 0..255. */
const GAIN = new Float64Array(256).map((_, sf) => Math.pow(2, (sf - SF_OFFSET) / 4));

/** Fills ics.spec from ics.quant for the spectral codebooks; other bands are left zero. */
export function dequantize(ics: IcsState): void {
  const { quant, spec, swbOffset: swb } = ics;
  spec.fill(0);
  let firstWindow = 0;
  for (let g = 0; g < ics.numWindowGroups; g++) {
    const groupLength = ics.windowGroupLength[g];
    for (let sfb = 0; sfb < ics.maxSfb; sfb++) {
      const i = g * MAX_SFB + sfb;
      const cb = ics.sfbCb[i];
      if (cb === ZERO_HCB || cb >= NOISE_HCB) continue;
      const gain = GAIN[ics.sf[i]];
      for (let w = 0; w < groupLength; w++) {
        const base = (firstWindow + w) * 128;
        for (let k = base + swb[sfb]; k < base + swb[sfb + 1]; k++) {
          const q = quant[k];
          if (q === 0) continue;
          const a = q < 0 ? -q : q;
          if (a > MAX_QUANT) {
            throw new AacError(`AAC quantised value ${q} is invalid: magnitude must be at most ${MAX_QUANT}`);
          }
          spec[k] = q < 0 ? -POW43[a] * gain : POW43[a] * gain;
        }
      }
    }
    firstWindow += groupLength;
  }
}
