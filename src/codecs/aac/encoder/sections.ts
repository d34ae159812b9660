/**
 * Codebook selection per section (section_data, ISO/IEC 14496-3 §4.6.3): every band's bits are
 * counted with each codebook that reaches its values (the smallest pair and the next, and codebook
 * 11); sections start as runs of one best codebook, and adjacent sections are merged, the best merge
 * first, while merging saves bits (one codebook for both, one sect_cb and sect_len instead of two).
 * An all-zero band merged into a coded section costs its code words plus a zero scalefactor delta.
 */
import { MAX_SFB } from "../ics.ts";
import { type ChannelData, isShort, type Layout } from "./channel.ts";
import { LAV, scalefactorBits, smallestCodebook } from "./huffman.ts";
import { unitBits } from "./quantize.ts";

export interface Section {
  cb: number;
  start: number;
  len: number;
}

interface Work {
  start: number;
  len: number;
  cost: Float64Array;
  best: number;
  total: number;
}

const ZERO_DELTA_BITS = scalefactorBits(0);
const merged = new Float64Array(12);

/** Reused working sections (one per band at most): no allocation per frame. */
const POOL: Work[] = Array.from({ length: MAX_SFB }, () => ({
  start: 0,
  len: 0,
  cost: new Float64Array(12),
  best: 0,
  total: 0,
}));

function finish(s: Work, lenBits: number, esc: number): void {
  let best = 0;
  for (let cb = 1; cb < 12; cb++) if (s.cost[cb] < s.cost[best]) best = cb;
  s.best = best;
  s.total = s.cost[best] + 4 + lenBits * (Math.floor(s.len / esc) + 1);
}

/** Chooses the sections of every group of a channel up to maxSfb; sets ch.cb; returns them per group. */
export function chooseSections(layout: Layout, ch: ChannelData, maxSfb: number): Section[][] {
  const lenBits = isShort(layout) ? 3 : 5;
  const esc = (1 << lenBits) - 1;
  const out: Section[][] = [];
  let firstWindow = 0;
  for (let g = 0; g < layout.groups.length; g++) {
    const len = layout.groups[g];
    const work: Work[] = [];
    let pooled = 0;
    for (let sfb = 0; sfb < maxSfb; sfb++) {
      const u = g * MAX_SFB + sfb;
      const maxQ = ch.maxQ[u];
      const s = POOL[pooled];
      const cost = s.cost.fill(Infinity);
      const first = maxQ === 0 ? 1 : smallestCodebook(maxQ);
      if (maxQ === 0) cost[0] = 0;
      for (let cb = first; cb < 12; cb++) {
        if (cb > first + 3 && cb !== 11) continue;
        if (LAV[cb] < maxQ && cb !== 11) continue;
        cost[cb] = unitBits(layout, ch, firstWindow, len, sfb, cb) + (maxQ === 0 ? ZERO_DELTA_BITS : 0);
      }
      s.start = sfb;
      s.len = 1;
      finish(s, lenBits, esc);
      const prev = work[work.length - 1];
      if (prev && prev.best === s.best) {
        for (let cb = 0; cb < 12; cb++) prev.cost[cb] += cost[cb];
        prev.len++;
        finish(prev, lenBits, esc);
      } else {
        work.push(s);
        pooled++;
      }
    }
    // Greedy merging, the largest saving first.
    for (;;) {
      let bestGain = 0;
      let at = -1;
      for (let i = 0; i + 1 < work.length; i++) {
        const a = work[i], b = work[i + 1];
        let min = Infinity;
        for (let cb = 0; cb < 12; cb++) {
          const c = a.cost[cb] + b.cost[cb];
          if (c < min) min = c;
        }
        const gain = a.total + b.total - (min + 4 + lenBits * (Math.floor((a.len + b.len) / esc) + 1));
        if (gain > bestGain) bestGain = gain, at = i;
      }
      if (at < 0) break;
      const a = work[at], b = work[at + 1];
      for (let cb = 0; cb < 12; cb++) merged[cb] = a.cost[cb] + b.cost[cb];
      a.cost.set(merged);
      a.len += b.len;
      finish(a, lenBits, esc);
      work.splice(at + 1, 1);
    }
    const sections: Section[] = [];
    for (const s of work) {
      sections.push({ cb: s.best, start: s.start, len: s.len });
      ch.cb.fill(s.best, g * MAX_SFB + s.start, g * MAX_SFB + s.start + s.len);
    }
    out.push(sections);
    firstWindow += len;
  }
  return out;
}

/** Bits of the section_data of the chosen sections. */
export function sectionBits(layout: Layout, sections: Section[][]): number {
  const lenBits = isShort(layout) ? 3 : 5;
  const esc = (1 << lenBits) - 1;
  let bits = 0;
  for (const group of sections) for (const s of group) bits += 4 + lenBits * (Math.floor(s.len / esc) + 1);
  return bits;
}
