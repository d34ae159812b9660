/**
 * The AAC-LC encoder: Float32 planar PCM (1024 samples per channel per frame, mono or stereo,
 * 8–48 kHz) → raw access units (no ADTS header) and their AudioSpecificConfig.
 *
 * Per frame: transient detection and block switching (one frame of look-ahead), the analysis
 * filterbank (sine or KBD windows, MDCT), the psychoacoustic model, M/S per band (stereo), then rate
 * control: one noise offset for the whole frame is searched (bracketing, then bisection) so that the
 * counted bits of the quantised frame fit the frame's budget; codebooks and sections are chosen
 * and the raw_data_block is written. The budget comes from the bitrate with a bit reservoir (at most
 * 6144 bits per channel, the decoder's buffer): transients draw on it, easy frames refill it, and
 * when it is full fill elements keep the rate constant.
 *
 * Delay: the MDCT's overlap and the look-ahead make the decoded output lag the input by 2048
 * samples (`delay`): frame k's access unit decodes to input frame k − 2.
 */
import { AAC_SAMPLE_RATES, buildAsc } from "../../aac.ts";
import { AacError } from "../errors.ts";
import { EIGHT_SHORT_SEQUENCE, MAX_SFB, ONLY_LONG_SEQUENCE } from "../ics.ts";
import { type BandTables, bandTables } from "../sfb_tables.ts";
import { BitWriter } from "./bit_writer.ts";
import { groupShortWindows, nextWindowSequence, TransientDetector } from "./block_switching.ts";
import { type ChannelData, type Layout, newChannelData } from "./channel.ts";
import { analyse } from "./filterbank.ts";
import { Psy } from "./psy.ts";
import { prepare, quantizeChannel } from "./quantize.ts";
import { icsInfoBits, ID_CPE, ID_END, ID_SCE, writeFill, writeIcs, writeIcsInfo } from "./raw_data_block.ts";
import { chooseSections } from "./sections.ts";
import { applyMidSide } from "./stereo.ts";
import { KBD_WINDOW, SINE_WINDOW } from "./windows.ts";
import { AAC_FRAME_SAMPLES } from "../frame.ts";

export interface AacEncoderOptions {
  /** 8000..48000, one of the standard AAC rates. */
  sampleRate: number;
  /** 1 or 2. */
  channels: number;
  /** bit/s; default 64 kbit/s per channel (less at low rates: 4 bits per sample per channel at most). */
  bitrate?: number;
  /** Window shape of every block (default sine). */
  windowShape?: "sine" | "kbd";
  /** Audio bandwidth in Hz (default from the bitrate per channel: 3000 + rate/4, at most 20 kHz). */
  bandwidth?: number;
}

export interface AacEncoderStats {
  frames: number;
  /** Bits written, fill elements included. */
  bits: number;
  fillBits: number;
  /** Frames per window_sequence: ONLY_LONG, LONG_START, EIGHT_SHORT, LONG_STOP. */
  windowSequences: [number, number, number, number];
  msBands: number;
}

/** Samples per frame and the decoded output's lag behind the input. */
export { AAC_FRAME_SAMPLES };
export const AAC_ENCODER_DELAY = 2048;

const MAX_BITS_PER_CHANNEL = 6144;

interface ChannelState {
  prev2: Float32Array;
  prev1: Float32Array;
  /** The buffer the next input frame is copied into (three rotate: no allocation per frame). */
  spare: Float32Array;
  detector: TransientDetector;
  data: ChannelData;
}

export class AacEncoder {
  readonly sampleRate: number;
  readonly channels: 1 | 2;
  readonly bitrate: number;
  /** The AudioSpecificConfig (AAC-LC, the rate's index, channel configuration 1 or 2). */
  readonly config: Uint8Array;
  readonly delay = AAC_ENCODER_DELAY;
  readonly stats: AacEncoderStats = {
    frames: 0,
    bits: 0,
    fillBits: 0,
    windowSequences: [0, 0, 0, 0],
    msBands: 0,
  };

  readonly #bands: BandTables;
  readonly #psy: Psy;
  readonly #shape: number;
  readonly #limitLong: number;
  readonly #limitShort: number;
  readonly #mean: number;
  readonly #maxReservoir: number;
  readonly #chans: ChannelState[];
  readonly #writer = new BitWriter();
  readonly #ms = new Uint8Array(8 * MAX_SFB);
  readonly #energies = new Float64Array(8);
  #reservoir = 0;
  #t = 10;
  #pendingShort = false;
  #pendingEnergies = new Float64Array(8);
  #prevSeq = ONLY_LONG_SEQUENCE;
  #prevShape: number;

  constructor(o: AacEncoderOptions) {
    const rates = AAC_SAMPLE_RATES as readonly number[];
    if (!rates.includes(o.sampleRate) || o.sampleRate < 8000 || o.sampleRate > 48000) {
      throw new AacError(
        `AAC encoder sample rate ${o.sampleRate} is unsupported: must be a standard AAC rate of 8000..48000 Hz`,
      );
    }
    if (o.channels !== 1 && o.channels !== 2) {
      throw new AacError(`AAC encoder channel count ${o.channels} is unsupported: must be 1 or 2`);
    }
    const ch = o.channels;
    const maxRate = Math.floor((MAX_BITS_PER_CHANNEL * ch * o.sampleRate) / AAC_FRAME_SAMPLES);
    const bitrate = o.bitrate ?? Math.min(64000, 4 * o.sampleRate) * ch;
    if (!Number.isFinite(bitrate) || bitrate < 8000 * ch || bitrate > maxRate) {
      throw new AacError(
        `AAC encoder bitrate ${bitrate} is invalid: must be ${
          8000 * ch
        }..${maxRate} bit/s for ${ch} channel(s) at ${o.sampleRate} Hz`,
      );
    }
    this.sampleRate = o.sampleRate;
    this.channels = ch;
    this.bitrate = bitrate;
    this.config = buildAsc({ objectType: 2, sampleRate: o.sampleRate, channels: ch });
    this.#bands = bandTables(o.sampleRate);
    this.#psy = new Psy(o.sampleRate, this.#bands.long, this.#bands.short);
    this.#shape = o.windowShape === "kbd" ? KBD_WINDOW : SINE_WINDOW;
    this.#prevShape = this.#shape;
    const bandwidth = Math.min(o.bandwidth ?? Math.min(3000 + bitrate / ch / 4, 20000), o.sampleRate / 2);
    if (!(bandwidth > 0)) {
      throw new AacError(`AAC encoder bandwidth ${o.bandwidth} is invalid: must be above 0 Hz`);
    }
    const limit = (swb: Int16Array, m: number) => {
      const bin = (bandwidth / (o.sampleRate / 2)) * m;
      let n = 0;
      while (n < swb.length - 1 && swb[n] < bin) n++;
      return n;
    };
    this.#limitLong = limit(this.#bands.long, 1024);
    this.#limitShort = limit(this.#bands.short, 128);
    this.#mean = (bitrate * AAC_FRAME_SAMPLES) / o.sampleRate;
    this.#maxReservoir = MAX_BITS_PER_CHANNEL * ch - Math.ceil(this.#mean);
    this.#chans = Array.from({ length: ch }, () => ({
      prev2: new Float32Array(AAC_FRAME_SAMPLES),
      prev1: new Float32Array(AAC_FRAME_SAMPLES),
      spare: new Float32Array(AAC_FRAME_SAMPLES),
      detector: new TransientDetector(),
      data: newChannelData(),
    }));
  }

  /** Encodes one frame (1024 samples per channel) into one raw access unit. */
  encode(planes: readonly Float32Array[]): Uint8Array {
    if (planes.length !== this.channels) {
      throw new AacError(
        `AAC encoder input of ${planes.length} channel(s) is invalid: the encoder has ${this.channels}`,
      );
    }
    let shortNext = false;
    this.#energies.fill(0);
    const current: Float32Array[] = [];
    for (let c = 0; c < this.channels; c++) {
      const p = planes[c];
      if (p.length !== AAC_FRAME_SAMPLES) {
        throw new AacError(
          `AAC encoder frame of ${p.length} samples is invalid: must be ${AAC_FRAME_SAMPLES}`,
        );
      }
      const st = this.#chans[c];
      const cur = st.spare;
      for (let i = 0; i < AAC_FRAME_SAMPLES; i++) {
        const v = p[i];
        cur[i] = v - v === 0 ? v : 0; // NaN and ±Infinity → 0
      }
      current.push(cur);
      if (st.detector.detect(st.prev1, 576, cur)) shortNext = true;
      for (let s = 0; s < 8; s++) this.#energies[s] += st.detector.energies[s];
    }
    const seq = nextWindowSequence(this.#prevSeq, this.#pendingShort, shortNext);
    const short = seq === EIGHT_SHORT_SEQUENCE;
    const layout: Layout = {
      windowSequence: seq,
      windowShape: this.#shape,
      groups: short ? groupShortWindows(this.#pendingEnergies) : [1],
      swb: short ? this.#bands.short : this.#bands.long,
      numSwb: (short ? this.#bands.short : this.#bands.long).length - 1,
      bandLimit: short ? this.#limitShort : this.#limitLong,
    };
    for (const st of this.#chans) {
      analyse(st.prev2, st.prev1, seq, this.#prevShape, this.#shape, st.data.spec);
      this.#psy.analyse(layout, st.data);
    }
    const datas = this.#chans.map((s) => s.data);
    let msCount = 0;
    if (this.channels === 2) msCount = applyMidSide(layout, datas[0], datas[1], this.#t, this.#ms);
    for (const d of datas) prepare(layout, d);

    const au = this.#code(layout, datas, msCount);

    this.stats.frames++;
    this.stats.windowSequences[seq]++;
    this.stats.msBands += msCount;
    this.#prevSeq = seq;
    this.#prevShape = this.#shape;
    this.#pendingShort = shortNext;
    this.#pendingEnergies.set(this.#energies);
    for (let c = 0; c < this.channels; c++) {
      const st = this.#chans[c];
      st.spare = st.prev2;
      st.prev2 = st.prev1;
      st.prev1 = current[c];
    }
    return au;
  }

  /** Forgets all state (after a gap): the next frame starts a fresh stream. */
  reset(): void {
    for (const st of this.#chans) {
      st.prev2.fill(0);
      st.prev1.fill(0);
      st.detector.reset();
    }
    this.#reservoir = 0;
    this.#pendingShort = false;
    this.#pendingEnergies.fill(0);
    this.#prevSeq = ONLY_LONG_SEQUENCE;
    this.#prevShape = this.#shape;
  }

  /** Rate control, codebook selection and writing. */
  #code(layout: Layout, datas: ChannelData[], msCount: number): Uint8Array {
    const stereo = this.channels === 2;
    const mean = this.#mean;
    const limitBits = MAX_BITS_PER_CHANNEL * this.channels;
    const hardMax = Math.min(Math.floor(mean + this.#reservoir), limitBits);
    const short = layout.windowSequence === EIGHT_SHORT_SEQUENCE;
    let target = short
      ? mean + 0.5 * this.#reservoir
      : mean + 0.1 * (this.#reservoir - this.#maxReservoir / 2);
    target = Math.min(Math.max(target, 0.5 * mean), hardMax);
    const msBits = msCount > 0 ? layout.groups.length * layout.bandLimit : 0;
    const header = (stereo ? 3 + 4 + 1 + 2 + msBits + 6 : 3 + 4 + 3) + icsInfoBits(layout) + 10;
    const bitsAt = (t: number) => {
      let bits = header;
      for (const d of datas) bits += quantizeChannel(layout, d, t);
      return bits;
    };

    // Bracket the offset t (larger t: coarser) around the last frame's, then bisect.
    let t = this.#t;
    let fits: number;
    let over: number | undefined;
    let bits = bitsAt(t);
    if (bits <= target) {
      fits = t;
      for (let i = 0; i < 12; i++) {
        const b = bitsAt(t - 4);
        if (b > target) {
          over = t - 4;
          break;
        }
        t -= 4;
        fits = t;
        if (b === bits) break; // saturated: finer steps change nothing
        bits = b;
      }
    } else {
      over = t;
      fits = t + 4;
      for (let i = 0; i < 40; i++) {
        if (bitsAt(fits) <= target) break;
        over = fits;
        fits += 4;
      }
    }
    if (over !== undefined) {
      let lo: number = over;
      for (let i = 0; i < 4; i++) {
        const mid: number = (lo + fits) / 2;
        const b = bitsAt(mid);
        if (b <= target) {
          fits = mid;
          if (b > 0.96 * target) break;
        } else {
          lo = mid;
        }
      }
    }
    this.#t = fits;

    const w = this.#writer;
    for (let attempt = 0;; attempt++) {
      bitsAt(fits);
      w.reset();
      this.#write(w, layout, datas, msCount > 0);
      const used = ((w.position + 3 + 7) >> 3) << 3;
      if (used <= hardMax || attempt >= 30) break;
      fits += 1.5;
    }
    let used = ((w.position + 3 + 7) >> 3) << 3;
    const excess = this.#reservoir + mean - used - this.#maxReservoir;
    if (excess > 0) {
      const bytes = Math.max(1, Math.ceil((excess - 15) / 8));
      const before = w.position;
      writeFill(w, bytes);
      this.stats.fillBits += w.position - before;
    }
    w.bits(ID_END, 3);
    w.align();
    used = w.position;
    this.#reservoir = Math.min(this.#reservoir + mean - used, this.#maxReservoir);
    if (this.#reservoir < 0) this.#reservoir = 0;
    this.stats.bits += used;
    return w.bytes();
  }

  #write(w: BitWriter, layout: Layout, datas: ChannelData[], ms: boolean): void {
    let maxSfb = 0;
    for (const d of datas) {
      for (let g = 0; g < layout.groups.length; g++) {
        for (let sfb = layout.bandLimit - 1; sfb >= maxSfb; sfb--) {
          if (d.maxQ[g * MAX_SFB + sfb] > 0) {
            maxSfb = sfb + 1;
            break;
          }
        }
      }
    }
    const sections = datas.map((d) => chooseSections(layout, d, maxSfb));
    if (datas.length === 1) {
      w.bits(ID_SCE, 3);
      w.bits(0, 4); // element_instance_tag
      writeIcs(w, layout, datas[0], sections[0], maxSfb, false);
      return;
    }
    w.bits(ID_CPE, 3);
    w.bits(0, 4);
    w.bits(1, 1); // common_window
    writeIcsInfo(w, layout, maxSfb);
    if (ms && maxSfb > 0) {
      w.bits(1, 2); // ms_mask_present: per band
      for (let g = 0; g < layout.groups.length; g++) {
        for (let sfb = 0; sfb < maxSfb; sfb++) w.bits(this.#ms[g * MAX_SFB + sfb], 1);
      }
    } else {
      w.bits(0, 2);
    }
    writeIcs(w, layout, datas[0], sections[0], maxSfb, true);
    writeIcs(w, layout, datas[1], sections[1], maxSfb, true);
  }
}
