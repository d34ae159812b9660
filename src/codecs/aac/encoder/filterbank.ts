/**
 * The analysis filterbank: one channel's 2048-sample block (the previous and the current 1024
 * input samples) windowed for its window sequence and shapes, then MDCT'd into 1024 coefficients
 * (one long window, or eight short windows of 128 at [w·128]). The windows are the decoder's
 * (filterbank.ts), so the decoder's IMDCT and overlap-add give the input back.
 * Input samples are floats in [−1, 1]; coefficients are in the decoder's 16-bit PCM units.
 */
import { EIGHT_SHORT_SEQUENCE, LONG_START_SEQUENCE, LONG_STOP_SEQUENCE } from "../ics.ts";
import { Mdct } from "./mdct.ts";
import { LONG_RISE, SHORT_RISE } from "./windows.ts";

const MDCT_LONG = new Mdct(2048);
const MDCT_SHORT = new Mdct(256);
/** 16-bit PCM units, times 2: the decoder's IMDCT (2/N · Σ) after this MDCT (Σ) gives half the input. */
const PCM_SCALE = 2 * 32768;

/** Scratch buffers of one analysis (not shared across concurrent calls: JS is single-threaded). */
const block = new Float64Array(2048);
const short = new Float64Array(256);

/**
 * prev, cur: the block's two input frames (1024 samples each). seq: window_sequence; prevShape:
 * the previous block's window_shape (it shapes the left half), shape: this block's. out: 1024.
 */
export function analyse(
  prev: Float32Array,
  cur: Float32Array,
  seq: number,
  prevShape: number,
  shape: number,
  out: Float64Array,
): void {
  if (seq === EIGHT_SHORT_SEQUENCE) {
    for (let w = 0; w < 8; w++) {
      const rise = SHORT_RISE[w === 0 ? prevShape : shape];
      const fall = SHORT_RISE[shape];
      const at = 448 + 128 * w;
      for (let i = 0; i < 256; i++) {
        const j = at + i;
        const x = j < 1024 ? prev[j] : cur[j - 1024];
        short[i] = x * PCM_SCALE * (i < 128 ? rise[i] : fall[255 - i]);
      }
      MDCT_SHORT.run(short, out, w * 128);
    }
    return;
  }
  for (let i = 0; i < 1024; i++) block[i] = prev[i] * PCM_SCALE;
  for (let i = 0; i < 1024; i++) block[1024 + i] = cur[i] * PCM_SCALE;
  if (seq === LONG_STOP_SEQUENCE) {
    const rise = SHORT_RISE[prevShape];
    block.fill(0, 0, 448);
    for (let i = 0; i < 128; i++) block[448 + i] *= rise[i];
  } else {
    const rise = LONG_RISE[prevShape];
    for (let i = 0; i < 1024; i++) block[i] *= rise[i];
  }
  if (seq === LONG_START_SEQUENCE) {
    const fall = SHORT_RISE[shape];
    for (let i = 0; i < 128; i++) block[1472 + i] *= fall[127 - i];
    block.fill(0, 1600, 2048);
  } else {
    const fall = LONG_RISE[shape];
    for (let i = 0; i < 1024; i++) block[1024 + i] *= fall[1023 - i];
  }
  MDCT_LONG.run(block, out, 0);
}
