/**
 * spectral_data() and pulse_data() (ISO/IEC 14496-3 §4.4.2.7 Tables 4.13 and 4.7, §4.6.3).
 * In a group of short windows the bitstream orders coefficients band by band, and within a band
 * window by window; they are stored here window by window (window w at quant[w*128]).
 */
import type { Bitstream } from "./bitstream.ts";
import { AacError } from "./errors.ts";
import { decodeSpectralTuple, tupleSize } from "./huffman.ts";
import { EIGHT_SHORT_SEQUENCE, type IcsState, MAX_SFB, NOISE_HCB } from "./ics.ts";

export interface PulseData {
  count: number;
  startSfb: number;
  offset: Uint8Array;
  amp: Uint8Array;
}

export function newPulseData(): PulseData {
  return { count: 0, startSfb: 0, offset: new Uint8Array(4), amp: new Uint8Array(4) };
}

/** pulse_data(): up to four pulses added to the quantised values of a long window. */
export function readPulseData(bs: Bitstream, ics: IcsState, pulse: PulseData): void {
  if (ics.windowSequence === EIGHT_SHORT_SEQUENCE) {
    throw new AacError(
      "AAC pulse_data_present 1 with EIGHT_SHORT_SEQUENCE is invalid: pulses are for long windows",
    );
  }
  pulse.count = bs.bits(2, "number_pulse") + 1;
  pulse.startSfb = bs.bits(6, "pulse_start_sfb");
  if (pulse.startSfb >= ics.numSwb) {
    throw new AacError(`AAC pulse_start_sfb ${pulse.startSfb} is invalid: must be below ${ics.numSwb}`);
  }
  for (let i = 0; i < pulse.count; i++) {
    pulse.offset[i] = bs.bits(5, "pulse_offset");
    pulse.amp[i] = bs.bits(4, "pulse_amp");
  }
}

/** Decodes the quantised spectrum of every window into ics.quant (zero outside coded bands). */
export function readSpectralData(bs: Bitstream, ics: IcsState): void {
  const quant = ics.quant;
  quant.fill(0);
  const swb = ics.swbOffset;
  let firstWindow = 0;
  for (let g = 0; g < ics.numWindowGroups; g++) {
    const groupLength = ics.windowGroupLength[g];
    for (let sfb = 0; sfb < ics.maxSfb; sfb++) {
      const cb = ics.sfbCb[g * MAX_SFB + sfb];
      if (cb === 0 || cb >= NOISE_HCB) continue;
      const dim = tupleSize(cb);
      for (let w = 0; w < groupLength; w++) {
        const base = (firstWindow + w) * 128;
        for (let k = swb[sfb]; k < swb[sfb + 1]; k += dim) {
          decodeSpectralTuple(bs, cb, quant, base + k);
        }
      }
    }
    firstWindow += groupLength;
  }
}

/** Adds the pulses (§4.6.3.3): each moves a quantised value away from zero by its amplitude. */
export function applyPulses(ics: IcsState, pulse: PulseData): void {
  let k = ics.swbOffset[pulse.startSfb];
  for (let i = 0; i < pulse.count; i++) {
    k += pulse.offset[i];
    if (k >= 1024) throw new AacError(`AAC pulse position ${k} is invalid: must be below 1024`);
    ics.quant[k] += ics.quant[k] > 0 ? pulse.amp[i] : -pulse.amp[i];
  }
}
