/**
 * Quantisation and scalefactor selection (ISO/IEC 14496-3 §4.6.1, §4.6.2, the inverse):
 * q = sign(x) · floor(|x|^(3/4) · 2^(−3(sf−100)/16) + 0.4054), so that the decoder's
 * |q|^(4/3) · 2^((sf−100)/4) is near x (the 0.4054 bias rounds in the x^(3/4) domain so that the
 * reconstruction error is smallest on average).
 *
 * Each unit's scalefactor comes from its allowed noise per coefficient v: for values well above the
 * step, the noise of the power-law quantiser is about (4/27)·√|x|·G^(3/2) (G the step, 2^((sf−100)/4)),
 * so G = (27·v / (4·mean √|x|))^(2/3). The rate control passes one offset t (log2) added to every
 * unit's relative noise; the absolute threshold is a floor. Adjacent coded scalefactors differ by at
 * most 60 (the codebook's range), and no |q| exceeds 8191 (the escape's range).
 */
import { MAX_SFB } from "../ics.ts";
import { type ChannelData, isShort, type Layout } from "./channel.ts";
import { countBits, scalefactorBits, smallestCodebook } from "./huffman.ts";

const BIAS = 0.4054;
const MAX_Q = 8191;
/** 2^(−3(sf−100)/16) for sf 0..255. */
const STEP = new Float64Array(256).map((_, sf) => Math.pow(2, (-3 * (sf - 100)) / 16));
const LOG2_27_4 = Math.log2(27 / 4);

/** Fills xp, meanRoot and minSf from spec (after M/S). */
export function prepare(layout: Layout, ch: ChannelData): void {
  const { spec, xp } = ch;
  for (let k = 0; k < 1024; k++) {
    const r = Math.sqrt(Math.abs(spec[k]));
    xp[k] = r * Math.sqrt(r); // |x|^(3/4)
  }
  const swb = layout.swb;
  let firstWindow = 0;
  for (let g = 0; g < layout.groups.length; g++) {
    const len = layout.groups[g];
    for (let sfb = 0; sfb < layout.bandLimit; sfb++) {
      let root = 0;
      let peak = 0;
      for (let w = 0; w < len; w++) {
        const base = (firstWindow + w) * 128;
        for (let k = base + swb[sfb]; k < base + swb[sfb + 1]; k++) {
          root += Math.sqrt(Math.abs(spec[k]));
          if (xp[k] > peak) peak = xp[k];
        }
      }
      const u = g * MAX_SFB + sfb;
      ch.meanRoot[u] = root / ch.width[u];
      ch.minSf[u] = peak > 0
        ? Math.max(0, Math.floor(100 + (16 / 3) * Math.log2(peak / (MAX_Q + 1 - BIAS))) + 1)
        : 0;
    }
    firstWindow += len;
  }
}

/** Quantises unit (g, sfb) with scalefactor sf into ch.q; returns the largest |q|. */
function quantizeUnit(
  layout: Layout,
  ch: ChannelData,
  firstWindow: number,
  len: number,
  sfb: number,
  sf: number,
): number {
  const { spec, xp, q } = ch;
  const swb = layout.swb;
  const step = STEP[sf];
  let max = 0;
  for (let w = 0; w < len; w++) {
    const base = (firstWindow + w) * 128;
    for (let k = base + swb[sfb]; k < base + swb[sfb + 1]; k++) {
      let a = Math.floor(xp[k] * step + BIAS);
      if (a > MAX_Q) a = MAX_Q;
      q[k] = spec[k] < 0 ? -a : a;
      if (a > max) max = a;
    }
  }
  return max;
}

/** Bits of unit (g, sfb) with codebook cb. */
export function unitBits(
  layout: Layout,
  ch: ChannelData,
  firstWindow: number,
  len: number,
  sfb: number,
  cb: number,
): number {
  const swb = layout.swb;
  let bits = 0;
  for (let w = 0; w < len; w++) {
    const base = (firstWindow + w) * 128;
    bits += countBits(ch.q, base + swb[sfb], base + swb[sfb + 1], cb);
  }
  return bits;
}

/**
 * Chooses every unit's scalefactor for noise offset t, quantises, and picks per unit the cheaper
 * codebook of the smallest pair that reaches its values (ch.cb). Returns the estimated bits of the
 * channel's section data, scalefactors and spectral data (sections: runs of one codebook).
 */
export function quantizeChannel(layout: Layout, ch: ChannelData, t: number): number {
  const lenBits = isShort(layout) ? 3 : 5;
  const esc = (1 << lenBits) - 1;
  let bits = 0;
  let last = -1;
  let firstWindow = 0;
  for (let g = 0; g < layout.groups.length; g++) {
    const len = layout.groups[g];
    let runCb = -1;
    let runLen = 0;
    for (let sfb = 0; sfb < layout.bandLimit; sfb++) {
      const u = g * MAX_SFB + sfb;
      let maxQ = 0;
      let sf = 0;
      if (ch.meanRoot[u] > 0) {
        const rel = t + ch.noiseRel[u];
        const v = rel > ch.noiseAbs[u] ? rel : ch.noiseAbs[u];
        sf = Math.round(100 + (8 / 3) * (LOG2_27_4 + v - Math.log2(ch.meanRoot[u])));
        if (sf < ch.minSf[u]) sf = ch.minSf[u];
        if (sf > 255) sf = 255;
        if (last >= 0) {
          if (sf > last + 60) sf = last + 60;
          else if (sf < last - 60) sf = last - 60;
        }
        maxQ = quantizeUnit(layout, ch, firstWindow, len, sfb, sf);
      } else {
        clearUnit(layout, ch, firstWindow, len, sfb);
      }
      ch.maxQ[u] = maxQ;
      let cb = 0;
      if (maxQ > 0) {
        bits += last >= 0 ? scalefactorBits(sf - last) : 0;
        last = sf;
        cb = smallestCodebook(maxQ);
        let cost = unitBits(layout, ch, firstWindow, len, sfb, cb);
        if (cb < 11) {
          const other = unitBits(layout, ch, firstWindow, len, sfb, cb + 1);
          if (other < cost) cost = other, cb++;
        }
        bits += cost;
      }
      ch.sf[u] = sf;
      ch.cb[u] = cb;
      if (cb !== runCb) {
        if (runLen > 0) bits += 4 + lenBits * (Math.floor(runLen / esc) + 1);
        runCb = cb;
        runLen = 0;
      }
      runLen++;
    }
    if (runLen > 0) bits += 4 + lenBits * (Math.floor(runLen / esc) + 1);
    firstWindow += len;
  }
  return bits + 8; // global_gain
}

function clearUnit(layout: Layout, ch: ChannelData, firstWindow: number, len: number, sfb: number): void {
  const swb = layout.swb;
  for (let w = 0; w < len; w++) {
    const base = (firstWindow + w) * 128;
    ch.q.fill(0, base + swb[sfb], base + swb[sfb + 1]);
  }
}
