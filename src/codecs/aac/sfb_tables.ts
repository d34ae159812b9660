/**
 * Scalefactor band offsets (ISO/IEC 14496-3 §4.5.4, Tables 4.129–4.147) and the TNS_MAX_BANDS limits
 * for AAC-LC (Table 4.139), per sampling frequency index.
 *
 * Transcribed as data from the VisualOn AAC encoder (vo-aacenc, aacenc/src/aac_rom.c sfBandTabLong,
 * sfBandTabShort; aacenc/src/tns.c tnsMaxBandsLongMainLow, tnsMaxBandsShortMainLow), Copyright
 * 2003-2010 VisualOn, Inc., Apache License 2.0, as shipped in the Android Open Source Project.
 */
import { AacError } from "./errors.ts";

// deno-fmt-ignore
const LONG_96 = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 156,
  172, 188, 212, 240, 276, 320, 384, 448, 512, 576, 640, 704, 768, 832, 896, 960, 1024,
];
// deno-fmt-ignore
const LONG_64 = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80, 88, 100, 112, 124, 140, 156, 172,
  192, 216, 240, 268, 304, 344, 384, 424, 464, 504, 544, 584, 624, 664, 704, 744, 784, 824, 864, 904, 944,
  984, 1024,
];
// deno-fmt-ignore
const LONG_48 = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 160, 176, 196,
  216, 240, 264, 292, 320, 352, 384, 416, 448, 480, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800, 832,
  864, 896, 928, 1024,
];
// deno-fmt-ignore
const LONG_32 = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 160, 176, 196,
  216, 240, 264, 292, 320, 352, 384, 416, 448, 480, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800, 832,
  864, 896, 928, 960, 992, 1024,
];
// deno-fmt-ignore
const LONG_24 = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 52, 60, 68, 76, 84, 92, 100, 108, 116, 124, 136, 148, 160,
  172, 188, 204, 220, 240, 260, 284, 308, 336, 364, 396, 432, 468, 508, 552, 600, 652, 704, 768, 832, 896,
  960, 1024,
];
// deno-fmt-ignore
const LONG_16 = [
  0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 100, 112, 124, 136, 148, 160, 172, 184, 196, 212, 228,
  244, 260, 280, 300, 320, 344, 368, 396, 424, 456, 492, 532, 572, 616, 664, 716, 772, 832, 896, 960, 1024,
];
// deno-fmt-ignore
const LONG_8 = [
  0, 12, 24, 36, 48, 60, 72, 84, 96, 108, 120, 132, 144, 156, 172, 188, 204, 220, 236, 252, 268, 288, 308,
  328, 348, 372, 396, 420, 448, 476, 508, 544, 580, 620, 664, 712, 764, 820, 880, 944, 1024,
];

const SHORT_96 = [0, 4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 92, 128];
const SHORT_48 = [0, 4, 8, 12, 16, 20, 28, 36, 44, 56, 68, 80, 96, 112, 128];
const SHORT_24 = [0, 4, 8, 12, 16, 20, 24, 28, 36, 44, 52, 64, 76, 92, 108, 128];
const SHORT_16 = [0, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 60, 72, 88, 108, 128];
const SHORT_8 = [0, 4, 8, 12, 16, 20, 24, 28, 36, 44, 52, 60, 72, 88, 108, 128];

/** By sampling frequency index 0..12 (96000 … 7350); 7350 Hz uses the 8 kHz tables. */
const LONG = [
  LONG_96,
  LONG_96,
  LONG_64,
  LONG_48,
  LONG_48,
  LONG_32,
  LONG_24,
  LONG_24,
  LONG_16,
  LONG_16,
  LONG_16,
  LONG_8,
  LONG_8,
];
const SHORT = [
  SHORT_96,
  SHORT_96,
  SHORT_96,
  SHORT_48,
  SHORT_48,
  SHORT_48,
  SHORT_24,
  SHORT_24,
  SHORT_16,
  SHORT_16,
  SHORT_16,
  SHORT_8,
  SHORT_8,
];
const TNS_MAX_LONG = [31, 31, 34, 40, 42, 51, 46, 46, 42, 42, 42, 39, 39];
const TNS_MAX_SHORT = [9, 9, 10, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14];

/** The band layout of one sampling frequency index. */
export interface BandTables {
  /** swb_offset_long_window: numSwbLong + 1 entries ending at 1024. */
  long: Int16Array;
  /** swb_offset_short_window: numSwbShort + 1 entries ending at 128. */
  short: Int16Array;
  tnsMaxBandsLong: number;
  tnsMaxBandsShort: number;
}

const TABLES: BandTables[] = LONG.map((l, i) => ({
  long: Int16Array.from(l),
  short: Int16Array.from(SHORT[i]),
  tnsMaxBandsLong: TNS_MAX_LONG[i],
  tnsMaxBandsShort: TNS_MAX_SHORT[i],
}));

/**
 * The tables for a sampling rate. Explicit rates map to the nearest standard rate's index (§4.5.4,
 * Table 4.82: the frequency ranges).
 */
export function bandTables(sampleRate: number): BandTables {
  if (!(sampleRate > 0) || sampleRate > 1_000_000) {
    throw new AacError(`AAC sampling rate ${sampleRate} is invalid: must be 1..1000000 Hz`);
  }
  // Lower bounds of each index's frequency range (Table 4.82).
  const lower = [92017, 75132, 55426, 46009, 37566, 27713, 23004, 18783, 13856, 11502, 9391, 0];
  return TABLES[lower.findIndex((l) => sampleRate >= l)];
}
