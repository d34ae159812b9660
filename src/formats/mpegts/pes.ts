/** PES packet header (ISO/IEC 13818-1 §2.4.3.6) with PTS/DTS, 33-bit 90 kHz timestamps. */
import { ProtocolError } from "../../core/errors.ts";
import { mod33 } from "./packet.ts";

export const STREAM_ID_PRIVATE_1 = 0xbd;
export const STREAM_ID_AUDIO = 0xc0;
export const STREAM_ID_VIDEO = 0xe0;

export interface PesHeader {
  readonly streamId: number;
  /** PES_packet_length: bytes after this field, 0 = unbounded (video only). */
  readonly packetLength: number;
  /** Offset of the elementary stream data from the PES start. */
  readonly headerLength: number;
  readonly dataAlignment: boolean;
  /** 90 kHz, 33-bit (not unwrapped). */
  readonly pts?: number;
  readonly dts?: number;
}

export interface PesHeaderInit {
  readonly streamId: number;
  /** 90 kHz; wrapped to 33 bits when written. */
  readonly pts: number;
  /** Written only when it differs from pts. */
  readonly dts?: number;
  /** Bytes of elementary stream data following the header. */
  readonly payloadLength: number;
}

/** Header size for a PES with PTS only (14) or PTS and DTS (19). */
export function pesHeaderSize(init: { pts: number; dts?: number }): number {
  return init.dts !== undefined && init.dts !== init.pts ? 19 : 14;
}

/** Writes the header; PES_packet_length is 0 (unbounded) when it would not fit 16 bits. */
export function writePesHeader(out: Uint8Array, offset: number, init: PesHeaderInit): number {
  const size = pesHeaderSize(init);
  const withDts = size === 19;
  const length = size - 6 + init.payloadLength;
  out[offset] = 0;
  out[offset + 1] = 0;
  out[offset + 2] = 1;
  out[offset + 3] = init.streamId;
  out[offset + 4] = length > 0xffff ? 0 : length >> 8;
  out[offset + 5] = length > 0xffff ? 0 : length & 0xff;
  out[offset + 6] = 0x84; // '10' marker + data_alignment_indicator: each PES starts an access unit
  out[offset + 7] = withDts ? 0xc0 : 0x80;
  out[offset + 8] = withDts ? 10 : 5;
  writeTimestamp(out, offset + 9, withDts ? 0x30 : 0x20, init.pts);
  if (withDts) writeTimestamp(out, offset + 14, 0x10, init.dts!);
  return size;
}

function writeTimestamp(out: Uint8Array, offset: number, prefix: number, ts90k: number): void {
  const v = mod33(ts90k);
  const hi = Math.floor(v / 2 ** 30); // bits 32..30
  const mid = Math.floor(v / 2 ** 15) & 0x7fff; // bits 29..15
  const lo = v % 2 ** 15; // bits 14..0
  out[offset] = prefix | (hi << 1) | 1;
  out[offset + 1] = mid >> 7;
  out[offset + 2] = ((mid & 0x7f) << 1) | 1;
  out[offset + 3] = lo >> 7;
  out[offset + 4] = ((lo & 0x7f) << 1) | 1;
}

function readTimestamp(b: Uint8Array, o: number): number {
  return ((b[o] >> 1) & 7) * 2 ** 30 + b[o + 1] * 2 ** 22 + (b[o + 2] >> 1) * 2 ** 15 +
    b[o + 3] * 2 ** 7 + (b[o + 4] >> 1);
}

// Streams whose PES packets have no optional header (13818-1 Table 2-21).
function hasOptionalHeader(streamId: number): boolean {
  return streamId !== 0xbc && streamId !== 0xbe && streamId !== 0xbf && streamId !== 0xf0 &&
    streamId !== 0xf1 && streamId !== 0xff && streamId !== 0xf2 && streamId !== 0xf8;
}

/** Parses the PES header at the start of `bytes` (the first packet's payload suffices). */
export function parsePesHeader(bytes: Uint8Array): PesHeader {
  if (bytes.length < 6) {
    throw new ProtocolError(`PES header of ${bytes.length} bytes is invalid: needs at least 6`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 1) {
    const prefix = [bytes[0], bytes[1], bytes[2]].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new ProtocolError(`PES start code prefix ${prefix} is invalid: must be 00 00 01`);
  }
  const streamId = bytes[3];
  const packetLength = (bytes[4] << 8) | bytes[5];
  if (!hasOptionalHeader(streamId)) {
    return { streamId, packetLength, headerLength: 6, dataAlignment: false };
  }
  if (bytes.length < 9) {
    throw new ProtocolError(`PES header of ${bytes.length} bytes is invalid: needs at least 9`);
  }
  if ((bytes[6] & 0xc0) !== 0x80) {
    throw new ProtocolError(`PES header marker bits ${bytes[6] >> 6} are invalid: must be binary 10`);
  }
  const headerLength = 9 + bytes[8];
  if (bytes.length < headerLength) {
    throw new ProtocolError(
      `PES header_data_length ${bytes[8]} is invalid: only ${bytes.length - 9} bytes follow`,
    );
  }
  const ptsDts = bytes[7] >> 6;
  if (ptsDts === 1) throw new ProtocolError("PES PTS_DTS_flags 01 is invalid: forbidden value");
  let pts: number | undefined;
  let dts: number | undefined;
  if (ptsDts & 2) {
    if (bytes[8] < (ptsDts === 3 ? 10 : 5)) {
      throw new ProtocolError(`PES header_data_length ${bytes[8]} is invalid: too short for PTS/DTS`);
    }
    pts = readTimestamp(bytes, 9);
    dts = ptsDts === 3 ? readTimestamp(bytes, 14) : pts;
  }
  return { streamId, packetLength, headerLength, dataAlignment: (bytes[6] & 0x04) !== 0, pts, dts };
}
