/**
 * The per-frame working state of one coded channel: its block layout (window sequence, groups,
 * band offsets), spectrum, per-band ("unit": window group g, band sfb at g·MAX_SFB + sfb) analysis
 * figures, and the chosen scalefactors, codebooks and quantised values.
 */
import { EIGHT_SHORT_SEQUENCE, MAX_SFB } from "../ics.ts";

export interface Layout {
  windowSequence: number;
  windowShape: number;
  /** Window group lengths (one group of one window for long blocks). */
  groups: number[];
  /** swb_offset of this window length and its band count. */
  swb: Int16Array;
  numSwb: number;
  /** Bands coded at most (the bandwidth limit); the written max_sfb may be lower. */
  bandLimit: number;
}

export interface ChannelData {
  /** MDCT coefficients (short window w at [w·128]) and |x|^(3/4). */
  spec: Float64Array;
  xp: Float64Array;
  /** Per unit: energy, coefficients (all windows of the group), log2 of the relative allowed noise
   * per coefficient (before the rate control's offset), log2 of the absolute threshold per
   * coefficient, the mean of √|x|, and the smallest scalefactor that keeps |q| ≤ 8191. */
  energy: Float64Array;
  width: Float64Array;
  noiseRel: Float64Array;
  noiseAbs: Float64Array;
  meanRoot: Float64Array;
  minSf: Int32Array;
  /** Chosen per unit: scalefactor, codebook, max |q|. */
  sf: Int32Array;
  cb: Uint8Array;
  maxQ: Int32Array;
  /** Quantised values, same layout as spec. */
  q: Int32Array;
}

export function newChannelData(): ChannelData {
  const units = 8 * MAX_SFB;
  return {
    spec: new Float64Array(1024),
    xp: new Float64Array(1024),
    energy: new Float64Array(units),
    width: new Float64Array(units),
    noiseRel: new Float64Array(units),
    noiseAbs: new Float64Array(units),
    meanRoot: new Float64Array(units),
    minSf: new Int32Array(units),
    sf: new Int32Array(units),
    cb: new Uint8Array(units),
    maxQ: new Int32Array(units),
    q: new Int32Array(1024),
  };
}

export function isShort(layout: Layout): boolean {
  return layout.windowSequence === EIGHT_SHORT_SEQUENCE;
}
