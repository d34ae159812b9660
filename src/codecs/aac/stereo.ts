/**
 * Joint stereo of a channel pair element with a common window (ISO/IEC 14496-3 §4.6.8):
 * M/S (l = m + s, r = m − s) and intensity stereo (r = ±l · 2^(−is_position/4)).
 */
import type { Bitstream } from "./bitstream.ts";
import { AacError } from "./errors.ts";
import { type IcsState, INTENSITY_HCB, INTENSITY_HCB2, MAX_SFB, NOISE_HCB } from "./ics.ts";

export interface MsMask {
  /** ms_mask_present: 0 none, 1 per band, 2 every band. */
  present: number;
  /** [g*MAX_SFB + sfb]: ms_used. */
  used: Uint8Array;
}

export function newMsMask(): MsMask {
  return { present: 0, used: new Uint8Array(8 * MAX_SFB) };
}

/** ms_mask_present and ms_used[][] of channel_pair_element() (Table 4.5). */
export function readMsMask(bs: Bitstream, ics: IcsState, ms: MsMask): void {
  ms.present = bs.bits(2, "ms_mask_present");
  if (ms.present === 3) throw new AacError("AAC ms_mask_present 3 is invalid: 3 is reserved");
  if (ms.present === 1) {
    for (let g = 0; g < ics.numWindowGroups; g++) {
      for (let sfb = 0; sfb < ics.maxSfb; sfb++) ms.used[g * MAX_SFB + sfb] = bs.bit("ms_used");
    }
  } else {
    ms.used.fill(ms.present === 2 ? 1 : 0);
  }
}

/** M/S on every band with ms_used where neither channel is noise nor the right one intensity. */
export function applyMs(left: IcsState, right: IcsState, ms: MsMask): void {
  if (ms.present === 0) return;
  const swb = left.swbOffset;
  const l = left.spec;
  const r = right.spec;
  let firstWindow = 0;
  for (let g = 0; g < left.numWindowGroups; g++) {
    const groupLength = left.windowGroupLength[g];
    for (let sfb = 0; sfb < left.maxSfb; sfb++) {
      const i = g * MAX_SFB + sfb;
      if (!ms.used[i] || left.sfbCb[i] >= NOISE_HCB || right.sfbCb[i] >= NOISE_HCB) continue;
      for (let w = 0; w < groupLength; w++) {
        const base = (firstWindow + w) * 128;
        for (let k = base + swb[sfb]; k < base + swb[sfb + 1]; k++) {
          const m = l[k];
          const s = r[k];
          l[k] = m + s;
          r[k] = m - s;
        }
      }
    }
    firstWindow += groupLength;
  }
}

/** Intensity stereo: right bands coded with INTENSITY_HCB(2) are the scaled left bands. */
export function applyIntensity(left: IcsState, right: IcsState, ms: MsMask): void {
  const swb = left.swbOffset;
  const l = left.spec;
  const r = right.spec;
  let firstWindow = 0;
  for (let g = 0; g < right.numWindowGroups; g++) {
    const groupLength = right.windowGroupLength[g];
    for (let sfb = 0; sfb < right.maxSfb; sfb++) {
      const i = g * MAX_SFB + sfb;
      const cb = right.sfbCb[i];
      if (cb !== INTENSITY_HCB && cb !== INTENSITY_HCB2) continue;
      // is_intensity: +1 in phase, −1 out of phase; invert_intensity flips it where ms_used is set
      // (every band with ms_mask_present 2, as ffmpeg's encoder and decoder both read it).
      let sign = cb === INTENSITY_HCB ? 1 : -1;
      if (ms.present !== 0 && ms.used[i]) sign = -sign;
      const scale = sign * Math.pow(2, -right.sf[i] / 4);
      for (let w = 0; w < groupLength; w++) {
        const base = (firstWindow + w) * 128;
        for (let k = base + swb[sfb]; k < base + swb[sfb + 1]; k++) r[k] = l[k] * scale;
      }
    }
    firstWindow += groupLength;
  }
}
