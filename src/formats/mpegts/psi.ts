/**
 * Program specific information (ISO/IEC 13818-1 §2.4.4): PAT and PMT sections with CRC32/MPEG-2,
 * and their packetization (pointer_field, 0xFF stuffing).
 */
import { ProtocolError } from "../../core/errors.ts";
import { TS_PACKET_SIZE, writePacketHeader } from "./packet.ts";

export const TABLE_ID_PAT = 0x00;
export const TABLE_ID_PMT = 0x02;

export const STREAM_TYPE_MPEG1_AUDIO = 0x03;
export const STREAM_TYPE_MPEG2_AUDIO = 0x04;
export const STREAM_TYPE_PRIVATE_PES = 0x06;
export const STREAM_TYPE_AAC_ADTS = 0x0f;
export const STREAM_TYPE_H264 = 0x1b;
export const STREAM_TYPE_H265 = 0x24;

export const DESCRIPTOR_REGISTRATION = 0x05;
export const DESCRIPTOR_EXTENSION = 0x7f;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32/MPEG-2: polynomial 0x04C11DB7, init 0xFFFFFFFF, not reflected, no final xor. */
export function crc32Mpeg2(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]) & 0xff];
  return crc >>> 0;
}

export interface PatProgram {
  readonly number: number;
  readonly pid: number;
}

export interface Pat {
  readonly transportStreamId: number;
  readonly version: number;
  readonly programs: readonly PatProgram[];
}

export interface PmtStream {
  readonly type: number;
  readonly pid: number;
  /** Raw ES_info descriptors. */
  readonly descriptors: Uint8Array;
}

export interface Pmt {
  readonly programNumber: number;
  readonly version: number;
  readonly pcrPid: number;
  readonly streams: readonly PmtStream[];
}

export interface Descriptor {
  readonly tag: number;
  readonly data: Uint8Array;
}

/** Builds a long-form section around `body`: header, then body, then CRC. */
function section(tableId: number, idExt: number, version: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + 4);
  const length = 5 + body.length + 4;
  out[0] = tableId;
  out[1] = 0xb0 | (length >> 8); // section_syntax_indicator, '0', reserved
  out[2] = length & 0xff;
  out[3] = idExt >> 8;
  out[4] = idExt & 0xff;
  out[5] = 0xc1 | ((version & 0x1f) << 1); // reserved, version, current_next_indicator
  out[6] = 0; // section_number
  out[7] = 0; // last_section_number
  out.set(body, 8);
  const crc = crc32Mpeg2(out, 0, out.length - 4);
  new DataView(out.buffer).setUint32(out.length - 4, crc);
  return out;
}

export function encodePat(pat: Pat): Uint8Array {
  const body = new Uint8Array(pat.programs.length * 4);
  pat.programs.forEach((p, i) => {
    body[i * 4] = p.number >> 8;
    body[i * 4 + 1] = p.number & 0xff;
    body[i * 4 + 2] = 0xe0 | (p.pid >> 8);
    body[i * 4 + 3] = p.pid & 0xff;
  });
  return section(TABLE_ID_PAT, pat.transportStreamId, pat.version, body);
}

export function encodePmt(pmt: Pmt): Uint8Array {
  let size = 4;
  for (const s of pmt.streams) size += 5 + s.descriptors.length;
  const body = new Uint8Array(size);
  body[0] = 0xe0 | (pmt.pcrPid >> 8);
  body[1] = pmt.pcrPid & 0xff;
  body[2] = 0xf0; // program_info_length 0
  body[3] = 0;
  let o = 4;
  for (const s of pmt.streams) {
    body[o] = s.type;
    body[o + 1] = 0xe0 | (s.pid >> 8);
    body[o + 2] = s.pid & 0xff;
    body[o + 3] = 0xf0 | (s.descriptors.length >> 8);
    body[o + 4] = s.descriptors.length & 0xff;
    body.set(s.descriptors, o + 5);
    o += 5 + s.descriptors.length;
  }
  return section(TABLE_ID_PMT, pmt.programNumber, pmt.version, body);
}

/** Total bytes of the section starting at `bytes[offset]` (3 + section_length), or -1 if unknown yet. */
export function sectionSize(bytes: Uint8Array, offset = 0): number {
  if (bytes.length - offset < 3) return -1;
  return 3 + (((bytes[offset + 1] & 0x0f) << 8) | bytes[offset + 2]);
}

interface SectionHeader {
  readonly idExt: number;
  readonly version: number;
  readonly end: number; // offset of the CRC
}

function checkSection(bytes: Uint8Array, tableId: number, name: string): SectionHeader {
  if (bytes.length < 12) {
    throw new ProtocolError(`${name} section of ${bytes.length} bytes is invalid: too short`);
  }
  if (bytes[0] !== tableId) {
    throw new ProtocolError(`${name} table_id 0x${bytes[0].toString(16)} is invalid: must be 0x0${tableId}`);
  }
  const size = sectionSize(bytes);
  if (size > bytes.length || size < 12) {
    throw new ProtocolError(
      `${name} section_length ${size - 3} is invalid: ${bytes.length - 3} bytes present`,
    );
  }
  const crc = new DataView(bytes.buffer, bytes.byteOffset).getUint32(size - 4);
  const actual = crc32Mpeg2(bytes, 0, size - 4);
  if (crc !== actual) {
    throw new ProtocolError(
      `${name} CRC32 0x${crc.toString(16)} is invalid: computed 0x${actual.toString(16)}`,
    );
  }
  return { idExt: (bytes[3] << 8) | bytes[4], version: (bytes[5] >> 1) & 0x1f, end: size - 4 };
}

export function parsePat(bytes: Uint8Array): Pat {
  const h = checkSection(bytes, TABLE_ID_PAT, "PAT");
  const programs: PatProgram[] = [];
  for (let o = 8; o + 4 <= h.end; o += 4) {
    programs.push({
      number: (bytes[o] << 8) | bytes[o + 1],
      pid: ((bytes[o + 2] & 0x1f) << 8) | bytes[o + 3],
    });
  }
  return { transportStreamId: h.idExt, version: h.version, programs };
}

export function parsePmt(bytes: Uint8Array): Pmt {
  const h = checkSection(bytes, TABLE_ID_PMT, "PMT");
  const pcrPid = ((bytes[8] & 0x1f) << 8) | bytes[9];
  let o = 12 + (((bytes[10] & 0x0f) << 8) | bytes[11]);
  const streams: PmtStream[] = [];
  while (o + 5 <= h.end) {
    const infoLength = ((bytes[o + 3] & 0x0f) << 8) | bytes[o + 4];
    if (o + 5 + infoLength > h.end) {
      throw new ProtocolError(`PMT ES_info_length ${infoLength} is invalid: runs past the section end`);
    }
    streams.push({
      type: bytes[o],
      pid: ((bytes[o + 1] & 0x1f) << 8) | bytes[o + 2],
      descriptors: bytes.slice(o + 5, o + 5 + infoLength),
    });
    o += 5 + infoLength;
  }
  return { programNumber: h.idExt, version: h.version, pcrPid, streams };
}

/** Splits a descriptor loop; a truncated last descriptor is dropped. */
export function parseDescriptors(bytes: Uint8Array): Descriptor[] {
  const out: Descriptor[] = [];
  for (let o = 0; o + 2 <= bytes.length;) {
    const len = bytes[o + 1];
    if (o + 2 + len > bytes.length) break;
    out.push({ tag: bytes[o], data: bytes.subarray(o + 2, o + 2 + len) });
    o += 2 + len;
  }
  return out;
}

export function encodeDescriptors(list: readonly Descriptor[]): Uint8Array {
  let size = 0;
  for (const d of list) size += 2 + d.data.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const d of list) {
    out[o] = d.tag;
    out[o + 1] = d.data.length;
    out.set(d.data, o + 2);
    o += 2 + d.data.length;
  }
  return out;
}

/** Packets needed for one section (with its pointer_field). */
export function psiPacketCount(sectionLength: number): number {
  return Math.ceil((sectionLength + 1) / (TS_PACKET_SIZE - 4));
}

/** Writes a section as `psiPacketCount` packets at `out[offset]`; returns the next continuity counter. */
export function writePsiPackets(
  out: Uint8Array,
  offset: number,
  pid: number,
  sec: Uint8Array,
  cc: number,
): number {
  let pos = offset;
  let i = 0;
  let first = true;
  while (first || i < sec.length) {
    writePacketHeader(out, pos, pid, first, 1, cc);
    let w = pos + 4;
    if (first) out[w++] = 0; // pointer_field
    const take = Math.min(sec.length - i, pos + TS_PACKET_SIZE - w);
    out.set(sec.subarray(i, i + take), w);
    out.fill(0xff, w + take, pos + TS_PACKET_SIZE);
    i += take;
    cc = (cc + 1) & 0x0f;
    pos += TS_PACKET_SIZE;
    first = false;
  }
  return cc;
}
