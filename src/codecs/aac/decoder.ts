/**
 * The AAC-LC decoder: raw_data_block() (ISO/IEC 14496-3 §4.4.2.1, Table 4.3) of one access unit
 * (no ADTS header) → 1024 samples per channel, Float32 planar in [−1, 1).
 *
 * Elements: SCE and LFE (one channel), CPE (two, with M/S and intensity stereo), DSE, PCE and FIL
 * skipped (a FIL carrying SBR data sets `sbr`), END. Channels are output in element order, which is
 * the channel configuration's order (Table 1.19). CCE (coupling) is refused with an AacError.
 * HE-AAC (SBR, PS) streams are decoded as their AAC-LC core: core rate, band-limited, with `sbr`
 * set so the caller can say so once.
 *
 * A whole access unit is parsed before any channel's filterbank runs, so a malformed one throws
 * without disturbing the overlap state: the next good frame decodes normally.
 */
import { parseAsc } from "../aac.ts";
import { BitReader } from "../bit_reader.ts";
import { Bitstream } from "./bitstream.ts";
import { AacError } from "./errors.ts";
import { Filterbank } from "./filterbank.ts";
import {
  copyIcsInfo,
  type IcsState,
  INTENSITY_HCB,
  INTENSITY_HCB2,
  MAX_SFB,
  newIcsState,
  NOISE_HCB,
  readIcsInfo,
  readSectionData,
} from "./ics.ts";
import { applyPns, NoiseGenerator } from "./pns.ts";
import { dequantize } from "./quantization.ts";
import { readScaleFactorData } from "./scalefactors.ts";
import { type BandTables, bandTables } from "./sfb_tables.ts";
import { applyPulses, newPulseData, readPulseData, readSpectralData } from "./spectral.ts";
import { applyIntensity, applyMs, newMsMask, readMsMask } from "./stereo.ts";
import { applyTns, readTnsData } from "./tns.ts";

/** Element ids of raw_data_block() (Table 4.85). */
const ID_SCE = 0;
const ID_CPE = 1;
const ID_CCE = 2;
const ID_LFE = 3;
const ID_DSE = 4;
const ID_PCE = 5;
const ID_FIL = 6;
const ID_END = 7;

/** extension_type of a fill element that carries SBR data (Table 4.121). */
const EXT_SBR_DATA = 13;
const EXT_SBR_DATA_CRC = 14;

/** Channels per channelConfiguration (Table 1.19); 0 means a PCE decides. */
const CONFIG_CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8];
const MAX_CHANNELS = 8;

export interface AacDecoderInfo {
  /** The AAC-LC core's sampling rate: the rate of the decoded PCM. */
  sampleRate: number;
  /** Channels per frame (from the channel configuration; 0 until the first frame with config 0). */
  channels: number;
  /** The stream carries SBR (and maybe PS) that this decoder does not apply. */
  sbr: boolean;
}

/** What the decoded frames used: tests assert that each coding tool was exercised. */
export interface AacDecoderStats {
  frames: number;
  /** Channel frames per window_sequence: ONLY_LONG, LONG_START, EIGHT_SHORT, LONG_STOP. */
  windowSequences: [number, number, number, number];
  tnsFilters: number;
  pulses: number;
  msBands: number;
  intensityBands: number;
  noiseBands: number;
}

export class AacDecoder {
  readonly stats: AacDecoderStats = {
    frames: 0,
    windowSequences: [0, 0, 0, 0],
    tnsFilters: 0,
    pulses: 0,
    msBands: 0,
    intensityBands: 0,
    noiseBands: 0,
  };
  readonly #bands: BandTables;
  readonly #expected: number;
  readonly #ics: IcsState[] = [];
  readonly #filterbanks: Filterbank[] = [];
  readonly #rng = new NoiseGenerator();
  readonly #pulse = newPulseData();
  readonly #ms = newMsMask();
  #channels: number;
  #sbr: boolean;
  readonly #sampleRate: number;

  constructor(asc: Uint8Array) {
    const c = parseAsc(asc);
    if (c.coreObjectType !== 2) {
      throw new AacError(
        `AAC audio object type ${c.coreObjectType} is not supported: must be AAC-LC (2), alone or as the core of HE-AAC`,
      );
    }
    if (shortFrameLength(asc)) {
      throw new AacError(
        "AAC frameLengthFlag 1 (960-sample frames) is not supported: must be 0 (1024 samples)",
      );
    }
    if (c.channelConfig > 7) {
      throw new AacError(`AAC channelConfiguration ${c.channelConfig} is invalid: must be 0..7`);
    }
    this.#sampleRate = c.sampleRate;
    this.#bands = bandTables(c.sampleRate);
    this.#expected = CONFIG_CHANNELS[c.channelConfig];
    this.#channels = this.#expected;
    this.#sbr = c.sbr;
  }

  get info(): AacDecoderInfo {
    return { sampleRate: this.#sampleRate, channels: this.#channels, sbr: this.#sbr };
  }

  /** Decodes one access unit into one Float32Array of 1024 samples per channel. */
  decode(au: Uint8Array): Float32Array[] {
    const bs = new Bitstream(au);
    let ch = 0;
    for (;;) {
      const id = bs.bits(3, "id_syn_ele");
      if (id === ID_END) break;
      switch (id) {
        case ID_SCE:
        case ID_LFE:
          bs.skip(4, "element_instance_tag");
          this.#singleChannel(bs, this.#channel(ch++));
          break;
        case ID_CPE:
          bs.skip(4, "element_instance_tag");
          this.#channelPair(bs, this.#channel(ch), this.#channel(ch + 1));
          ch += 2;
          break;
        case ID_CCE:
          throw new AacError(
            "AAC coupling_channel_element is not supported: AAC-LC streams without CCE only",
          );
        case ID_DSE:
          skipDataStream(bs);
          break;
        case ID_PCE:
          skipProgramConfig(bs);
          break;
        case ID_FIL:
          if (skipFill(bs)) this.#sbr = true;
          break;
      }
    }
    if (ch === 0) {
      throw new AacError("AAC raw_data_block without audio elements is invalid: need an SCE, CPE or LFE");
    }
    if (this.#expected !== 0 && ch !== this.#expected) {
      throw new AacError(
        `AAC raw_data_block with ${ch} channels is invalid: the channel configuration has ${this.#expected}`,
      );
    }
    this.#channels = ch;
    this.stats.frames++;
    const out: Float32Array[] = [];
    for (let i = 0; i < ch; i++) {
      const pcm = new Float32Array(1024);
      this.#filterbanks[i].run(this.#ics[i], pcm);
      out.push(pcm);
    }
    return out;
  }

  /** Forgets the overlap of every channel (after a gap in the stream). */
  reset(): void {
    for (const f of this.#filterbanks) f.reset();
  }

  #channel(i: number): IcsState {
    if (i >= MAX_CHANNELS) {
      throw new AacError(`AAC raw_data_block with more than ${MAX_CHANNELS} channels is not supported`);
    }
    while (this.#ics.length <= i) {
      this.#ics.push(newIcsState());
      this.#filterbanks.push(new Filterbank());
    }
    return this.#ics[i];
  }

  #singleChannel(bs: Bitstream, ics: IcsState): void {
    this.#channelStream(bs, ics, false);
    dequantize(ics);
    applyPns(ics, this.#rng);
    applyTns(ics);
  }

  #channelPair(bs: Bitstream, left: IcsState, right: IcsState): void {
    const ms = this.#ms;
    const common = bs.bit("common_window") === 1;
    if (common) {
      readIcsInfo(bs, left, this.#bands);
      copyIcsInfo(left, right);
      readMsMask(bs, left, ms);
    } else {
      ms.present = 0;
    }
    this.#channelStream(bs, left, common);
    this.#channelStream(bs, right, common);
    dequantize(left);
    dequantize(right);
    applyPns(left, this.#rng);
    applyPns(
      right,
      this.#rng,
      left,
      ms.present === 0 ? undefined : (g, sfb) => ms.used[g * MAX_SFB + sfb] === 1,
    );
    if (ms.present !== 0) {
      for (let g = 0; g < left.numWindowGroups; g++) {
        for (let sfb = 0; sfb < left.maxSfb; sfb++) this.stats.msBands += ms.used[g * MAX_SFB + sfb];
      }
    }
    if (common) {
      applyMs(left, right, ms);
      applyIntensity(left, right, ms);
    }
    applyTns(left);
    applyTns(right);
  }

  /** individual_channel_stream() (Table 4.6) up to the quantised spectrum with its pulses. */
  #channelStream(bs: Bitstream, ics: IcsState, commonWindow: boolean): void {
    ics.globalGain = bs.bits(8, "global_gain");
    if (!commonWindow) readIcsInfo(bs, ics, this.#bands);
    readSectionData(bs, ics);
    readScaleFactorData(bs, ics);
    const pulse = bs.bit("pulse_data_present") === 1;
    if (pulse) readPulseData(bs, ics, this.#pulse);
    if (bs.bit("tns_data_present") === 1) readTnsData(bs, ics);
    else ics.tns.present = false;
    if (bs.bit("gain_control_data_present") === 1) {
      throw new AacError(
        "AAC gain_control_data_present 1 is not supported: gain control is AAC SSR, not AAC-LC",
      );
    }
    readSpectralData(bs, ics);
    if (pulse) applyPulses(ics, this.#pulse);
    this.#count(ics, pulse);
  }

  #count(ics: IcsState, pulse: boolean): void {
    const st = this.stats;
    st.windowSequences[ics.windowSequence]++;
    if (pulse) st.pulses++;
    if (ics.tns.present) {
      for (let w = 0; w < ics.numWindows; w++) {
        for (let f = 0; f < ics.tns.nFilt[w]; f++) if (ics.tns.order[w * 4 + f] > 0) st.tnsFilters++;
      }
    }
    for (let g = 0; g < ics.numWindowGroups; g++) {
      for (let sfb = 0; sfb < ics.maxSfb; sfb++) {
        const cb = ics.sfbCb[g * MAX_SFB + sfb];
        if (cb === NOISE_HCB) st.noiseBands++;
        else if (cb === INTENSITY_HCB || cb === INTENSITY_HCB2) st.intensityBands++;
      }
    }
  }
}

/** GASpecificConfig's frameLengthFlag (ISO/IEC 14496-3 §1.6.2.1, §4.4.1): 1 means 960-sample frames. */
function shortFrameLength(asc: Uint8Array): boolean {
  const r = new BitReader(asc);
  const objectType = () => {
    const t = r.bits(5);
    return t === 31 ? 32 + r.bits(6) : t;
  };
  const rate = () => {
    if (r.bits(4) === 15) r.skip(24);
  };
  let type = objectType();
  rate();
  r.skip(4); // channelConfiguration
  if (type === 5 || type === 29) {
    rate();
    type = objectType();
  }
  return type === 2 && r.bitsLeft > 0 && r.bits(1) === 1;
}

/** data_stream_element() (Table 4.10): skipped. */
function skipDataStream(bs: Bitstream): void {
  bs.skip(4, "element_instance_tag");
  const align = bs.bit("data_byte_align_flag");
  let count = bs.bits(8, "count");
  if (count === 255) count += bs.bits(8, "esc_count");
  if (align) bs.byteAlign();
  bs.skip(count * 8, "data_stream_byte");
}

/** fill_element() (Table 4.11): skipped; true when its payload is SBR data. */
function skipFill(bs: Bitstream): boolean {
  let count = bs.bits(4, "count");
  if (count === 15) count += bs.bits(8, "esc_count") - 1;
  if (count === 0) return false;
  const type = bs.bits(4, "extension_type");
  bs.skip(count * 8 - 4, "fill payload");
  return type === EXT_SBR_DATA || type === EXT_SBR_DATA_CRC;
}

/** program_config_element() (Table 4.2): skipped field by field. */
function skipProgramConfig(bs: Bitstream): void {
  bs.skip(4 + 2 + 4, "element_instance_tag, object_type, sampling_frequency_index");
  const front = bs.bits(4, "num_front_channel_elements");
  const side = bs.bits(4, "num_side_channel_elements");
  const back = bs.bits(4, "num_back_channel_elements");
  const lfe = bs.bits(2, "num_lfe_channel_elements");
  const assoc = bs.bits(3, "num_assoc_data_elements");
  const cc = bs.bits(4, "num_valid_cc_elements");
  if (bs.bit("mono_mixdown_present")) bs.skip(4, "mono_mixdown_element_number");
  if (bs.bit("stereo_mixdown_present")) bs.skip(4, "stereo_mixdown_element_number");
  if (bs.bit("matrix_mixdown_idx_present")) bs.skip(3, "matrix_mixdown_idx");
  bs.skip((front + side + back) * 5 + lfe * 4 + assoc * 4 + cc * 5, "channel element list");
  bs.byteAlign();
  bs.skip(bs.bits(8, "comment_field_bytes") * 8, "comment_field_data");
}
