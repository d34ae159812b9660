/**
 * Writing raw_data_block() (ISO/IEC 14496-3 §4.4.2.1): single_channel_element, channel_pair_element
 * (common window, ms_mask_present and ms_used), individual_channel_stream (global_gain, ics_info,
 * section_data, scale_factor_data, no pulses, TNS or gain control, spectral_data), fill elements
 * and END. The decoder's reading order, field by field.
 */
import { EIGHT_SHORT_SEQUENCE, MAX_SFB } from "../ics.ts";
import type { BitWriter } from "./bit_writer.ts";
import { type ChannelData, type Layout } from "./channel.ts";
import { writeScalefactor, writeTuples } from "./huffman.ts";
import type { Section } from "./sections.ts";

export const ID_SCE = 0;
export const ID_CPE = 1;
export const ID_FIL = 6;
export const ID_END = 7;

/** ics_info(). */
export function writeIcsInfo(w: BitWriter, layout: Layout, maxSfb: number): void {
  w.bits(0, 1); // ics_reserved_bit
  w.bits(layout.windowSequence, 2);
  w.bits(layout.windowShape, 1);
  if (layout.windowSequence === EIGHT_SHORT_SEQUENCE) {
    w.bits(maxSfb, 4);
    let grouping = 0;
    let window = 0;
    for (const len of layout.groups) {
      for (let i = 0; i < len; i++, window++) {
        // Bit (6 − (window − 1)) says window `window` continues the previous window's group.
        if (window > 0 && i > 0) grouping |= 1 << (7 - window);
      }
    }
    w.bits(grouping, 7);
  } else {
    w.bits(maxSfb, 6);
    w.bits(0, 1); // predictor_data_present
  }
}

/** Bits of ics_info(). */
export function icsInfoBits(layout: Layout): number {
  return layout.windowSequence === EIGHT_SHORT_SEQUENCE ? 1 + 2 + 1 + 4 + 7 : 1 + 2 + 1 + 6 + 1;
}

/**
 * The scalefactors to send: coded bands' own; an all-zero band inside a coded section repeats the
 * previous coded one (a zero delta), or the next one before the first. Returns global_gain.
 */
function settleScalefactors(layout: Layout, ch: ChannelData, maxSfb: number): number {
  let first = -1;
  for (let g = 0; g < layout.groups.length && first < 0; g++) {
    for (let sfb = 0; sfb < maxSfb; sfb++) {
      const u = g * MAX_SFB + sfb;
      if (ch.cb[u] !== 0 && ch.maxQ[u] > 0) {
        first = ch.sf[u];
        break;
      }
    }
  }
  if (first < 0) return 100;
  let last = first;
  for (let g = 0; g < layout.groups.length; g++) {
    for (let sfb = 0; sfb < maxSfb; sfb++) {
      const u = g * MAX_SFB + sfb;
      if (ch.cb[u] === 0) continue;
      if (ch.maxQ[u] === 0) ch.sf[u] = last;
      last = ch.sf[u];
    }
  }
  return first;
}

/** individual_channel_stream(); ics_info only without a common window. */
export function writeIcs(
  w: BitWriter,
  layout: Layout,
  ch: ChannelData,
  sections: Section[][],
  maxSfb: number,
  commonWindow: boolean,
): void {
  const globalGain = settleScalefactors(layout, ch, maxSfb);
  w.bits(globalGain, 8);
  if (!commonWindow) writeIcsInfo(w, layout, maxSfb);
  // section_data()
  const short = layout.windowSequence === EIGHT_SHORT_SEQUENCE;
  const lenBits = short ? 3 : 5;
  const esc = (1 << lenBits) - 1;
  for (const group of sections) {
    for (const s of group) {
      w.bits(s.cb, 4);
      let len = s.len;
      while (len >= esc) {
        w.bits(esc, lenBits);
        len -= esc;
      }
      w.bits(len, lenBits);
    }
  }
  // scale_factor_data()
  let last = globalGain;
  for (let g = 0; g < layout.groups.length; g++) {
    for (let sfb = 0; sfb < maxSfb; sfb++) {
      const u = g * MAX_SFB + sfb;
      if (ch.cb[u] === 0) continue;
      writeScalefactor(w, ch.sf[u] - last);
      last = ch.sf[u];
    }
  }
  w.bits(0, 1); // pulse_data_present
  w.bits(0, 1); // tns_data_present
  w.bits(0, 1); // gain_control_data_present
  // spectral_data(): per group, band by band, window by window.
  const swb = layout.swb;
  let firstWindow = 0;
  for (let g = 0; g < layout.groups.length; g++) {
    const len = layout.groups[g];
    for (const s of sections[g]) {
      if (s.cb === 0) continue;
      for (let sfb = s.start; sfb < s.start + s.len; sfb++) {
        for (let win = 0; win < len; win++) {
          const base = (firstWindow + win) * 128;
          writeTuples(w, ch.q, base + swb[sfb], base + swb[sfb + 1], s.cb);
        }
      }
    }
    firstWindow += len;
  }
}

/** fill_element()s carrying `bytes` bytes in all (each at most 269 bytes of payload). */
export function writeFill(w: BitWriter, bytes: number): void {
  while (bytes > 0) {
    const count = Math.min(bytes, 269);
    w.bits(ID_FIL, 3);
    if (count >= 15) {
      w.bits(15, 4);
      w.bits(count - 14, 8); // esc_count: cnt = 15 + esc_count − 1
    } else {
      w.bits(count, 4);
    }
    // extension_payload(): EXT_FILL with a zero fill_nibble, then fill_bytes 0b10100101.
    w.bits(0, 8);
    for (let i = 1; i < count; i++) w.bits(0xa5, 8);
    bytes -= count;
  }
}

/** Bits of writeFill(bytes) for one element. */
export function fillBits(bytes: number): number {
  return 3 + 4 + (bytes >= 15 ? 8 : 0) + 8 * bytes;
}
