import type { AacTrack } from "../core/track.ts";
import { ProtocolError } from "../core/errors.ts";
import { AAC_SAMPLE_RATES, buildAsc, parseAsc } from "./aac.ts";

export interface AdtsHeader {
  objectType: number;
  sampleRate: number;
  channelConfig: number;
  /** Header length: 7, or 9 with CRC. */
  headerLength: number;
  /** Whole frame length including the header. */
  frameLength: number;
}

/** Parses the ADTS header at `offset` (ISO 14496-3 1.A.2.2). */
export function parseAdtsHeader(bytes: Uint8Array, offset = 0): AdtsHeader {
  if (bytes.length - offset < 7) {
    throw new ProtocolError(
      `ADTS header at offset ${offset} is invalid: needs 7 bytes, ${bytes.length - offset} left`,
    );
  }
  const b = bytes.subarray(offset, offset + 7);
  if (b[0] !== 0xff || (b[1] & 0xf6) !== 0xf0) {
    throw new ProtocolError(
      `ADTS sync 0x${
        ((b[0] << 8) | b[1]).toString(16)
      } at offset ${offset} is invalid: must be 0xFFF with layer 0`,
    );
  }
  const headerLength = b[1] & 1 ? 7 : 9;
  const index = (b[2] >> 2) & 0xf;
  const sampleRate = AAC_SAMPLE_RATES[index];
  if (sampleRate === undefined) {
    throw new ProtocolError(`ADTS sampling_frequency_index ${index} is invalid: must be 0..12`);
  }
  const frameLength = ((b[3] & 3) << 11) | (b[4] << 3) | (b[5] >> 5);
  if (frameLength < headerLength) {
    throw new ProtocolError(
      `ADTS frame_length ${frameLength} is invalid: shorter than its ${headerLength}-byte header`,
    );
  }
  if ((b[6] & 3) !== 0) {
    throw new ProtocolError(`ADTS number_of_raw_data_blocks ${(b[6] & 3) + 1} is unsupported: must be 1`);
  }
  return {
    objectType: (b[2] >> 6) + 1,
    sampleRate,
    channelConfig: ((b[2] & 1) << 2) | (b[3] >> 6),
    headerLength,
    frameLength,
  };
}

/** Splits a buffer of whole ADTS frames into raw AAC frames (views) and their AudioSpecificConfig. */
export function splitAdts(bytes: Uint8Array): { config: Uint8Array; frames: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  let config: Uint8Array | undefined;
  let o = 0;
  while (o < bytes.length) {
    const h = parseAdtsHeader(bytes, o);
    if (o + h.frameLength > bytes.length) {
      throw new ProtocolError(
        `ADTS frame_length ${h.frameLength} at offset ${o} is invalid: runs past the buffer end (${bytes.length})`,
      );
    }
    config ??= buildAsc({ objectType: h.objectType, sampleRate: h.sampleRate, channels: h.channelConfig });
    frames.push(bytes.subarray(o + h.headerLength, o + h.frameLength));
    o += h.frameLength;
  }
  if (!config) throw new ProtocolError("ADTS buffer is invalid: it holds no frame");
  return { config, frames };
}

/** Builds a 7-byte ADTS header (no CRC) for a raw frame of `payloadLength` bytes. */
export function buildAdtsHeader(track: AacTrack, payloadLength: number): Uint8Array {
  const c = parseAsc(track.config);
  // ADTS carries only the core config; SBR/PS stay implicit.
  const index = (AAC_SAMPLE_RATES as readonly number[]).indexOf(c.sampleRate);
  if (index < 0 || c.coreObjectType > 4) {
    throw new ProtocolError(
      `AAC rate ${c.sampleRate} / object type ${c.coreObjectType} cannot be carried in ADTS: needs a table rate and type 1..4`,
    );
  }
  const len = payloadLength + 7;
  if (len > 0x1fff) throw new ProtocolError(`ADTS frame of ${len} bytes is invalid: must be at most 8191`);
  return new Uint8Array([
    0xff,
    0xf1,
    ((c.coreObjectType - 1) << 6) | (index << 2) | ((c.channelConfig >> 2) & 1),
    ((c.channelConfig & 3) << 6) | (len >> 11),
    (len >> 3) & 0xff,
    ((len & 7) << 5) | 0x1f,
    0xfc,
  ]);
}
