/**
 * M/S stereo per band (ISO/IEC 14496-3 §4.6.8.1, the inverse: m = (l + r)/2, s = (l − r)/2, so the
 * decoder's l = m + s, r = m − s). A band is coded M/S when that is estimated to take fewer bits:
 * the perceptual entropy Σ log2(1 + E/(W·v)) of the pair, where the M and S bands must each keep
 * half the smaller of the L and R allowed noises (the decoder adds their noises into each side).
 */
import { MAX_SFB } from "../ics.ts";
import type { ChannelData, Layout } from "./channel.ts";

/** Decides and applies M/S on every unit of l and r below the band limit; ms[u] = 1 where used. */
export function applyMidSide(
  layout: Layout,
  l: ChannelData,
  r: ChannelData,
  t: number,
  ms: Uint8Array,
): number {
  const swb = layout.swb;
  let count = 0;
  let firstWindow = 0;
  ms.fill(0);
  for (let g = 0; g < layout.groups.length; g++) {
    const len = layout.groups[g];
    for (let sfb = 0; sfb < layout.bandLimit; sfb++) {
      const u = g * MAX_SFB + sfb;
      let em = 0, es = 0;
      for (let w = 0; w < len; w++) {
        const base = (firstWindow + w) * 128;
        for (let k = base + swb[sfb]; k < base + swb[sfb + 1]; k++) {
          const m = (l.spec[k] + r.spec[k]) / 2, s = (l.spec[k] - r.spec[k]) / 2;
          em += m * m;
          es += s * s;
        }
      }
      const width = l.width[u];
      const vl = Math.pow(2, Math.max(t + l.noiseRel[u], l.noiseAbs[u])) * width;
      const vr = Math.pow(2, Math.max(t + r.noiseRel[u], r.noiseAbs[u])) * width;
      const vms = Math.min(vl, vr) / 2;
      const peLr = Math.log2(1 + l.energy[u] / vl) + Math.log2(1 + r.energy[u] / vr);
      const peMs = Math.log2(1 + em / vms) + Math.log2(1 + es / vms);
      if (!(peMs < peLr)) continue;
      ms[u] = 1;
      count++;
      for (let w = 0; w < len; w++) {
        const base = (firstWindow + w) * 128;
        for (let k = base + swb[sfb]; k < base + swb[sfb + 1]; k++) {
          const a = l.spec[k], b = r.spec[k];
          l.spec[k] = (a + b) / 2;
          r.spec[k] = (a - b) / 2;
        }
      }
      l.energy[u] = em;
      r.energy[u] = es;
      const rel = Math.min(l.noiseRel[u], r.noiseRel[u]) - 1;
      const abs = Math.min(l.noiseAbs[u], r.noiseAbs[u]) - 1;
      l.noiseRel[u] = r.noiseRel[u] = rel;
      l.noiseAbs[u] = r.noiseAbs[u] = abs;
    }
    firstWindow += len;
  }
  return count;
}
