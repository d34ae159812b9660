/**
 * Channel mapping to at most two channels for Opus. Input planes are in AAC element order
 * (ISO/IEC 14496-3 Table 1.19): 3 = C, L, R; 4 = C, L, R, Cs; 5 = C, L, R, Ls, Rs;
 * 6 = 5 + LFE; 7 (8 channels) = C, L, R, Ls, Rs, Lb, Rb, LFE. Centre and surrounds enter at −3 dB,
 * LFE is dropped, and the result is scaled so that a full-scale input cannot clip.
 */

const MINUS_3DB = Math.SQRT1_2;

/** Output channels for a source channel count: mono and stereo stay, more become stereo. */
export function mappedChannels(channels: number): 1 | 2 {
  return channels === 1 ? 1 : 2;
}

/** Maps planes to mappedChannels(planes.length) planes (the same arrays for mono and stereo). */
export function downmix(planes: readonly Float32Array[]): Float32Array[] {
  const n = planes.length;
  if (n <= 2) return planes as Float32Array[];
  const len = planes[0].length;
  const l = new Float32Array(len);
  const r = new Float32Array(len);
  const c = planes[0];
  // Pairs after the centre: (1,2) front, then surround pairs; a lone channel is a back centre.
  const hasLfe = n === 6 || n === 8;
  const last = hasLfe ? n - 1 : n;
  let gain = 1 + MINUS_3DB; // front + centre
  for (let i = 3; i < last; i += 2) gain += MINUS_3DB;
  const norm = 1 / gain;
  for (let k = 0; k < len; k++) {
    let a = planes[1][k] + MINUS_3DB * c[k];
    let b = planes[2][k] + MINUS_3DB * c[k];
    for (let i = 3; i < last; i += 2) {
      if (i + 1 < last) {
        a += MINUS_3DB * planes[i][k];
        b += MINUS_3DB * planes[i + 1][k];
      } else {
        a += MINUS_3DB * planes[i][k];
        b += MINUS_3DB * planes[i][k];
      }
    }
    l[k] = a * norm;
    r[k] = b * norm;
  }
  return [l, r];
}
