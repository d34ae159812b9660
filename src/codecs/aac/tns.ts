/**
 * Temporal noise shaping (ISO/IEC 14496-3 §4.6.9): tns_data() and the all-pole filters it
 * describes, run over the dequantised spectrum of each window. The coefficients are computed from
 * the transmitted indices (arcsine quantisation, then reflection → LPC), not tabled.
 */
import type { Bitstream } from "./bitstream.ts";
import { AacError } from "./errors.ts";
import { EIGHT_SHORT_SEQUENCE, type IcsState } from "./ics.ts";

/** TNS_MAX_ORDER for AAC-LC: 12 for long windows, 7 for short ones. */
const MAX_ORDER_LONG = 12;
const MAX_ORDER_SHORT = 7;

const parcor = new Float64Array(32);
const scratch = new Float64Array(32);

/** tns_data() (Table 4.10); stores each filter's LPC coefficients a[1..order]. */
export function readTnsData(bs: Bitstream, ics: IcsState): void {
  const short = ics.windowSequence === EIGHT_SHORT_SEQUENCE;
  const tns = ics.tns;
  tns.present = true;
  for (let w = 0; w < ics.numWindows; w++) {
    const nFilt = bs.bits(short ? 1 : 2, "n_filt");
    tns.nFilt[w] = nFilt;
    if (nFilt === 0) continue;
    const coefRes = bs.bit("coef_res");
    for (let f = 0; f < nFilt; f++) {
      const i = w * 4 + f;
      tns.length[i] = bs.bits(short ? 4 : 6, "length");
      const order = bs.bits(short ? 3 : 5, "order");
      const maxOrder = short ? MAX_ORDER_SHORT : MAX_ORDER_LONG;
      if (order > maxOrder) {
        throw new AacError(`AAC TNS order ${order} is invalid: must be at most ${maxOrder} for AAC-LC`);
      }
      tns.order[i] = order;
      if (order === 0) continue;
      tns.direction[i] = bs.bit("direction");
      const compress = bs.bit("coef_compress");
      const bits = coefRes + 3 - compress;
      // Inverse arcsine quantisation (§4.6.9.3): step π/2 / (2^(res−1) ∓ 1/2) by the index's sign.
      const half = 1 << (coefRes + 2);
      const iqfac = (half - 0.5) / (Math.PI / 2);
      const iqfacM = (half + 0.5) / (Math.PI / 2);
      for (let k = 0; k < order; k++) {
        let c = bs.bits(bits, "coef");
        if (c >= 1 << (bits - 1)) c -= 1 << bits; // two's complement of `bits` bits
        parcor[k] = Math.sin(c / (c >= 0 ? iqfac : iqfacM));
      }
      // Reflection coefficients → direct-form LPC a[1..order] (step-up recursion).
      const a = tns.lpc.subarray(i * 32, i * 32 + 32);
      for (let m = 1; m <= order; m++) {
        for (let j = 1; j < m; j++) scratch[j] = a[j] + parcor[m - 1] * a[m - j];
        for (let j = 1; j < m; j++) a[j] = scratch[j];
        a[m] = parcor[m - 1];
      }
    }
  }
}

/** Runs every filter of every window over ics.spec (§4.6.9.3, tns_decode_frame). */
export function applyTns(ics: IcsState): void {
  const tns = ics.tns;
  if (!tns.present) return;
  const swb = ics.swbOffset;
  const limit = Math.min(ics.tnsMaxBands, ics.maxSfb);
  for (let w = 0; w < ics.numWindows; w++) {
    const base = w * 128;
    let bottom = ics.numSwb;
    for (let f = 0; f < tns.nFilt[w]; f++) {
      const i = w * 4 + f;
      const top = bottom;
      bottom = Math.max(top - tns.length[i], 0);
      const order = tns.order[i];
      if (order === 0) continue;
      const start = base + swb[Math.min(bottom, limit)];
      const end = base + swb[Math.min(top, limit)];
      if (end <= start) continue;
      filter(ics.spec, start, end, tns.direction[i] === 1, tns.lpc.subarray(i * 32), order);
    }
  }
}

const state = new Float64Array(32);

/** y[n] = x[n] − Σ a[j]·y[n−j], upward or downward through [start, end). */
function filter(
  spec: Float32Array,
  start: number,
  end: number,
  down: boolean,
  a: Float64Array,
  order: number,
) {
  state.fill(0, 0, order);
  const inc = down ? -1 : 1;
  let n = down ? end - 1 : start;
  for (let c = end - start; c > 0; c--, n += inc) {
    let y = spec[n];
    for (let j = 0; j < order; j++) y -= a[j + 1] * state[j];
    for (let j = order - 1; j > 0; j--) state[j] = state[j - 1];
    state[0] = y;
    spec[n] = y;
  }
}
