import type { AacTrack } from "../core/track.ts";
import { ProtocolError } from "../core/errors.ts";
import { BitReader } from "./bit_reader.ts";

/** samplingFrequencyIndex → rate (ISO 14496-3 Table 1.18); index 15 means an explicit 24-bit rate. */
export const AAC_SAMPLE_RATES = [
  96000,
  88200,
  64000,
  48000,
  44100,
  32000,
  24000,
  22050,
  16000,
  12000,
  11025,
  8000,
  7350,
] as const;

export interface AudioSpecificConfig {
  /** The signalled audioObjectType (5 = SBR, 29 = PS when explicitly signalled). */
  objectType: number;
  /** The underlying core object type (2 for HE-AAC over AAC-LC). */
  coreObjectType: number;
  /** Core sampling rate. */
  sampleRate: number;
  channelConfig: number;
  /** Output rate after SBR (equals sampleRate without SBR). */
  outputSampleRate: number;
  sbr: boolean;
  ps: boolean;
}

/** Parses an AudioSpecificConfig, including explicit and backward-compatible SBR/PS signalling. */
export function parseAsc(asc: Uint8Array): AudioSpecificConfig {
  if (asc.length < 2) {
    throw new ProtocolError(
      `AudioSpecificConfig of ${asc.length} bytes is invalid: must be at least 2 bytes`,
    );
  }
  const r = new BitReader(asc);
  const objectType = readObjectType(r);
  const sampleRate = readSampleRate(r);
  const channelConfig = r.bits(4);
  let coreObjectType = objectType;
  let outputSampleRate = sampleRate;
  let sbr = false;
  let ps = false;
  if (objectType === 5 || objectType === 29) {
    sbr = true;
    ps = objectType === 29;
    outputSampleRate = readSampleRate(r);
    coreObjectType = readObjectType(r);
  }
  if (!sbr && channelConfig !== 0 && [1, 2, 3, 4, 6, 7].includes(coreObjectType) && r.bitsLeft > 3) {
    // GASpecificConfig, then look for the backward-compatible extension (1.6.6.2).
    r.skip(1); // frameLengthFlag
    if (r.flag()) r.skip(14); // coreCoderDelay
    r.skip(1); // extensionFlag (0 for these object types in practice)
    if (coreObjectType === 6 || coreObjectType === 7) r.skip(3);
    if (r.bitsLeft >= 16 && r.bits(11) === 0x2b7) {
      const ext = readObjectType(r);
      if (ext === 5 && r.flag()) {
        sbr = true;
        outputSampleRate = readSampleRate(r);
        if (r.bitsLeft >= 12 && r.bits(11) === 0x548) ps = r.flag();
      }
    }
  }
  return { objectType, coreObjectType, sampleRate, channelConfig, outputSampleRate, sbr, ps };
}

function readObjectType(r: BitReader): number {
  const t = r.bits(5);
  return t === 31 ? 32 + r.bits(6) : t;
}

function readSampleRate(r: BitReader): number {
  const index = r.bits(4);
  if (index === 15) return r.bits(24);
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) {
    throw new ProtocolError(`AAC samplingFrequencyIndex ${index} is invalid: must be 0..12 or 15`);
  }
  return rate;
}

/** Builds a plain AudioSpecificConfig (no SBR signalling); 2 bytes, or 5 with an explicit rate. */
export function buildAsc(o: { objectType: number; sampleRate: number; channels: number }): Uint8Array {
  if (o.objectType < 1 || o.objectType > 30) {
    throw new ProtocolError(`AAC objectType ${o.objectType} is invalid here: must be 1..30`);
  }
  if (o.channels < 0 || o.channels > 7) {
    throw new ProtocolError(`AAC channel configuration ${o.channels} is invalid: must be 0..7`);
  }
  const index = (AAC_SAMPLE_RATES as readonly number[]).indexOf(o.sampleRate);
  if (index >= 0) {
    const bits = (o.objectType << 11) | (index << 7) | (o.channels << 3);
    return new Uint8Array([bits >> 8, bits & 0xff]);
  }
  // 5 + 4 + 24 + 4 bits = 37 bits → 5 bytes
  const out = new Uint8Array(5);
  const v = BigInt(o.objectType) << 35n | 15n << 31n | BigInt(o.sampleRate) << 7n | BigInt(o.channels) << 3n;
  for (let i = 0; i < 5; i++) out[i] = Number((v >> BigInt(8 * (4 - i))) & 0xffn);
  return out;
}

/**
 * Builds an immutable AacTrack. sampleRate and channels are what a decoder outputs:
 * with SBR the doubled rate, with PS two channels (each raw frame is then 2048 samples at that rate).
 */
export function aacTrack(asc: Uint8Array): AacTrack {
  const c = parseAsc(asc);
  const rate = c.outputSampleRate;
  return {
    kind: "audio",
    codec: "aac",
    clockRate: rate,
    sampleRate: rate,
    channels: c.ps ? 2 : c.channelConfig === 7 ? 8 : c.channelConfig,
    config: asc,
    objectType: c.ps ? 29 : c.sbr ? 5 : c.objectType,
  };
}

/** Samples per raw AAC frame at the track's clock (1024, or 2048 with SBR). */
export function aacFrameSamples(track: AacTrack): number {
  return track.objectType === 5 || track.objectType === 29 ? 2048 : 1024;
}

/** RFC 6381 codecs string, `mp4a.40.N`. */
export function aacCodecString(t: { objectType: number }): string {
  return `mp4a.40.${t.objectType}`;
}
