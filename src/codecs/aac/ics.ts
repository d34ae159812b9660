/**
 * One channel's individual_channel_stream state (ISO/IEC 14496-3 §4.4.2.7, §4.5.2.3): ics_info()
 * and section_data(). The arrays are allocated once per channel and reused for every frame.
 */
import type { Bitstream } from "./bitstream.ts";
import { AacError } from "./errors.ts";
import type { BandTables } from "./sfb_tables.ts";

/** window_sequence values (Table 4.85). */
export const ONLY_LONG_SEQUENCE = 0;
export const LONG_START_SEQUENCE = 1;
export const EIGHT_SHORT_SEQUENCE = 2;
export const LONG_STOP_SEQUENCE = 3;

/** Codebook numbers with a meaning other than a spectral codebook (Table 4.86). */
export const ZERO_HCB = 0;
export const ESC_HCB = 11;
export const NOISE_HCB = 13;
export const INTENSITY_HCB2 = 14;
export const INTENSITY_HCB = 15;

/** Bands per window group: the most any sampling rate has (51 long bands at 32 kHz). */
export const MAX_SFB = 64;

export interface TnsFilters {
  present: boolean;
  /** Per window: number of filters (0..3 long, 0..1 short). */
  nFilt: Uint8Array;
  /** [w*4 + f]: length in bands, order, direction (1 = downward). */
  length: Uint8Array;
  order: Uint8Array;
  direction: Uint8Array;
  /** [(w*4 + f)*32 + i]: LPC coefficients a[1..order] (§4.6.9.3). */
  lpc: Float64Array;
}

export interface IcsState {
  globalGain: number;
  windowSequence: number;
  windowShape: number;
  maxSfb: number;
  numWindows: number;
  numWindowGroups: number;
  windowGroupLength: Uint8Array;
  /** swb_offset of this frame's window length, and its band count. */
  swbOffset: Int16Array;
  numSwb: number;
  tnsMaxBands: number;
  /** [g*MAX_SFB + sfb]: codebook of each band. */
  sfbCb: Uint8Array;
  /** [g*MAX_SFB + sfb]: scalefactor, intensity position or noise energy, by codebook. */
  sf: Int32Array;
  tns: TnsFilters;
  /** Quantised spectrum, window w at [w*128] for short windows. */
  quant: Int32Array;
  /** Dequantised spectrum in the same layout. */
  spec: Float32Array;
}

export function newIcsState(): IcsState {
  return {
    globalGain: 0,
    windowSequence: ONLY_LONG_SEQUENCE,
    windowShape: 0,
    maxSfb: 0,
    numWindows: 1,
    numWindowGroups: 1,
    windowGroupLength: new Uint8Array(8),
    swbOffset: new Int16Array(0),
    numSwb: 0,
    tnsMaxBands: 0,
    sfbCb: new Uint8Array(8 * MAX_SFB),
    sf: new Int32Array(8 * MAX_SFB),
    tns: {
      present: false,
      nFilt: new Uint8Array(8),
      length: new Uint8Array(32),
      order: new Uint8Array(32),
      direction: new Uint8Array(32),
      lpc: new Float64Array(32 * 32),
    },
    quant: new Int32Array(1024),
    spec: new Float32Array(1024),
  };
}

/** ics_info() (§4.4.2.7 Table 4.6); `bands` are the sampling rate's tables. */
export function readIcsInfo(bs: Bitstream, ics: IcsState, bands: BandTables): void {
  if (bs.bit("ics_reserved_bit") !== 0) {
    throw new AacError("AAC ics_reserved_bit 1 is invalid: must be 0");
  }
  ics.windowSequence = bs.bits(2, "window_sequence");
  ics.windowShape = bs.bit("window_shape");
  if (ics.windowSequence === EIGHT_SHORT_SEQUENCE) {
    ics.maxSfb = bs.bits(4, "max_sfb");
    const grouping = bs.bits(7, "scale_factor_grouping");
    ics.numWindows = 8;
    ics.numWindowGroups = 1;
    ics.windowGroupLength.fill(0);
    ics.windowGroupLength[0] = 1;
    for (let i = 0; i < 7; i++) {
      if ((grouping >> (6 - i)) & 1) {
        ics.windowGroupLength[ics.numWindowGroups - 1]++;
      } else {
        ics.windowGroupLength[ics.numWindowGroups++] = 1;
      }
    }
    ics.swbOffset = bands.short;
    ics.tnsMaxBands = bands.tnsMaxBandsShort;
  } else {
    ics.maxSfb = bs.bits(6, "max_sfb");
    if (bs.bit("predictor_data_present") !== 0) {
      throw new AacError(
        "AAC predictor_data_present 1 is not supported: AAC Main prediction and LTP are not AAC-LC",
      );
    }
    ics.numWindows = 1;
    ics.numWindowGroups = 1;
    ics.windowGroupLength[0] = 1;
    ics.swbOffset = bands.long;
    ics.tnsMaxBands = bands.tnsMaxBandsLong;
  }
  ics.numSwb = ics.swbOffset.length - 1;
  if (ics.maxSfb > ics.numSwb) {
    throw new AacError(`AAC max_sfb ${ics.maxSfb} is invalid: this sampling rate has ${ics.numSwb} bands`);
  }
}

/** Copies a common_window's ics_info into the second channel of a CPE. */
export function copyIcsInfo(from: IcsState, to: IcsState): void {
  to.windowSequence = from.windowSequence;
  to.windowShape = from.windowShape;
  to.maxSfb = from.maxSfb;
  to.numWindows = from.numWindows;
  to.numWindowGroups = from.numWindowGroups;
  to.windowGroupLength.set(from.windowGroupLength);
  to.swbOffset = from.swbOffset;
  to.numSwb = from.numSwb;
  to.tnsMaxBands = from.tnsMaxBands;
}

/** section_data() (§4.4.2.7 Table 4.11): the codebook of every band of every window group. */
export function readSectionData(bs: Bitstream, ics: IcsState): void {
  const short = ics.windowSequence === EIGHT_SHORT_SEQUENCE;
  const lenBits = short ? 3 : 5;
  const esc = (1 << lenBits) - 1;
  for (let g = 0; g < ics.numWindowGroups; g++) {
    let k = 0;
    while (k < ics.maxSfb) {
      const cb = bs.bits(4, "sect_cb");
      if (cb === 12) throw new AacError("AAC sect_cb 12 is invalid: codebook 12 is reserved");
      let len = 0;
      let incr: number;
      while ((incr = bs.bits(lenBits, "sect_len_incr")) === esc) len += esc;
      len += incr;
      if (k + len > ics.maxSfb) {
        throw new AacError(
          `AAC section length ${len} at band ${k} is invalid: sections must end by max_sfb ${ics.maxSfb}`,
        );
      }
      ics.sfbCb.fill(cb, g * MAX_SFB + k, g * MAX_SFB + k + len);
      k += len;
    }
  }
}
