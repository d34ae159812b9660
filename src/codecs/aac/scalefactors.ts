/**
 * scale_factor_data() (ISO/IEC 14496-3 §4.4.2.7 Table 4.12, §4.6.2.3): differentially coded
 * scalefactors, intensity positions and noise energies, each from its own running value.
 */
import type { Bitstream } from "./bitstream.ts";
import { AacError } from "./errors.ts";
import { decodeScalefactorDelta } from "./huffman.ts";
import { type IcsState, INTENSITY_HCB, INTENSITY_HCB2, MAX_SFB, NOISE_HCB, ZERO_HCB } from "./ics.ts";

/** The first noise energy is sent as 9 bits offset by 256 (NOISE_PCM_BITS, NOISE_PCM_OFFSET). */
const NOISE_PCM_OFFSET = 256;
/** The noise energy's start relative to global_gain (NOISE_OFFSET). */
const NOISE_OFFSET = 90;

export function readScaleFactorData(bs: Bitstream, ics: IcsState): void {
  let scaleFactor = ics.globalGain;
  let isPosition = 0;
  let noiseEnergy = ics.globalGain - NOISE_OFFSET;
  let noisePcm = true;
  for (let g = 0; g < ics.numWindowGroups; g++) {
    for (let sfb = 0; sfb < ics.maxSfb; sfb++) {
      const i = g * MAX_SFB + sfb;
      const cb = ics.sfbCb[i];
      if (cb === ZERO_HCB) {
        ics.sf[i] = 0;
      } else if (cb === INTENSITY_HCB || cb === INTENSITY_HCB2) {
        isPosition += decodeScalefactorDelta(bs);
        ics.sf[i] = isPosition;
      } else if (cb === NOISE_HCB) {
        if (noisePcm) {
          noisePcm = false;
          noiseEnergy += bs.bits(9, "dpcm_noise_nrg") - NOISE_PCM_OFFSET;
        } else {
          noiseEnergy += decodeScalefactorDelta(bs);
        }
        ics.sf[i] = noiseEnergy;
      } else {
        scaleFactor += decodeScalefactorDelta(bs);
        if (scaleFactor < 0 || scaleFactor > 255) {
          throw new AacError(`AAC scalefactor ${scaleFactor} in band ${sfb} is invalid: must be 0..255`);
        }
        ics.sf[i] = scaleFactor;
      }
    }
  }
}
