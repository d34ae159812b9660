import type { Mp3Track } from "../core/track.ts";
import { ProtocolError } from "../core/errors.ts";

export interface MpegAudioHeader {
  /** 1 (MPEG-1), 2 (MPEG-2) or 2.5. */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  /** Bits per second; 0 for free format. */
  bitrate: number;
  sampleRate: number;
  channels: number;
  samplesPerFrame: number;
  /** Frame length in bytes including the header; 0 for free format. */
  frameLength: number;
}

const RATES = [44100, 48000, 32000];
// kbit/s by [MPEG-1 L1, L2, L3, MPEG-2/2.5 L1, L2/L3] (ISO 11172-3, 13818-3).
const BITRATES = [
  [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

/** Parses the 4-byte MPEG audio frame header at `offset`. */
export function parseMpegAudioHeader(bytes: Uint8Array, offset = 0): MpegAudioHeader {
  if (bytes.length - offset < 4) {
    throw new ProtocolError(`MPEG audio header at offset ${offset} is invalid: needs 4 bytes`);
  }
  const [b0, b1, b2, b3] = bytes.subarray(offset, offset + 4);
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) {
    throw new ProtocolError(
      `MPEG audio sync 0x${
        ((b0 << 8) | b1).toString(16)
      } at offset ${offset} is invalid: must be 11 one bits`,
    );
  }
  const v = (b1 >> 3) & 3;
  const l = (b1 >> 1) & 3;
  const bi = b2 >> 4;
  const si = (b2 >> 2) & 3;
  if (v === 1 || l === 0 || bi === 15 || si === 3) {
    throw new ProtocolError(
      `MPEG audio header (version bits ${v}, layer bits ${l}, bitrate index ${bi}, rate index ${si}) is invalid: reserved value`,
    );
  }
  const version = v === 3 ? 1 : v === 2 ? 2 : 2.5;
  const layer = (4 - l) as 1 | 2 | 3;
  const sampleRate = RATES[si] / (version === 1 ? 1 : version === 2 ? 2 : 4);
  const table = version === 1 ? layer - 1 : layer === 1 ? 3 : 4;
  const bitrate = BITRATES[table][bi] * 1000;
  const padding = (b2 >> 1) & 1;
  const samplesPerFrame = layer === 1 ? 384 : layer === 2 || version === 1 ? 1152 : 576;
  const frameLength = bitrate === 0
    ? 0
    : layer === 1
    ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
    : Math.floor((samplesPerFrame / 8) * bitrate / sampleRate) + padding;
  return {
    version,
    layer,
    bitrate,
    sampleRate,
    channels: b3 >> 6 === 3 ? 1 : 2,
    samplesPerFrame,
    frameLength,
  };
}

/** Splits a buffer of whole MPEG audio frames (no ID3) into frames (views). */
export function splitMpegAudio(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let o = 0;
  while (o < bytes.length) {
    const h = parseMpegAudioHeader(bytes, o);
    if (h.frameLength === 0 || o + h.frameLength > bytes.length) {
      throw new ProtocolError(
        `MPEG audio frame length ${h.frameLength} at offset ${o} is invalid: must be non-zero and within the buffer`,
      );
    }
    frames.push(bytes.subarray(o, o + h.frameLength));
    o += h.frameLength;
  }
  return frames;
}

/** Builds an immutable Mp3Track from a parsed header (or any {sampleRate, channels}). */
export function mp3Track(info: { sampleRate: number; channels: number }): Mp3Track {
  return {
    kind: "audio",
    codec: "mp3",
    clockRate: info.sampleRate,
    sampleRate: info.sampleRate,
    channels: info.channels,
  };
}
