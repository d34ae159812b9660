/**
 * 188-byte transport stream packets (ISO/IEC 13818-1 §2.4.3): header, adaptation field, PCR,
 * stuffing, and a packetizer that spreads one payload (a PES packet) over consecutive packets.
 */
import { ProtocolError } from "../../core/errors.ts";

export const TS_PACKET_SIZE = 188;
export const SYNC_BYTE = 0x47;
export const PID_PAT = 0x0000;
export const PID_NULL = 0x1fff;
/** 7 packets: the payload size SRT (and UDP) senders use so that a datagram holds whole packets. */
export const SRT_PAYLOAD_SIZE = 7 * TS_PACKET_SIZE;

const PAYLOAD_SIZE = TS_PACKET_SIZE - 4;

export interface PacketHeader {
  readonly pid: number;
  /** payload_unit_start_indicator: a PES packet or PSI section starts in this packet. */
  readonly pusi: boolean;
  readonly cc: number;
  readonly hasPayload: boolean;
  /** Offset of the payload from the packet start (188 when there is none). */
  readonly payloadOffset: number;
  readonly transportError: boolean;
  readonly discontinuity: boolean;
  readonly randomAccess: boolean;
  /** Program clock reference in 27 MHz ticks (base × 300 + extension), when present. */
  readonly pcr?: number;
}

/** Parses the packet at `offset` (which must hold 188 bytes starting with the sync byte). */
export function parsePacket(bytes: Uint8Array, offset = 0): PacketHeader {
  if (bytes.length - offset < TS_PACKET_SIZE) {
    throw new ProtocolError(
      `TS packet at offset ${offset} is invalid: needs ${TS_PACKET_SIZE} bytes, ${
        bytes.length - offset
      } left`,
    );
  }
  if (bytes[offset] !== SYNC_BYTE) {
    throw new ProtocolError(
      `TS sync byte 0x${bytes[offset].toString(16)} at offset ${offset} is invalid: must be 0x47`,
    );
  }
  const b1 = bytes[offset + 1];
  const b3 = bytes[offset + 3];
  const afc = (b3 >> 4) & 3;
  let payloadOffset = 4;
  let discontinuity = false;
  let randomAccess = false;
  let pcr: number | undefined;
  if (afc & 2) {
    const afLen = bytes[offset + 4];
    const max = afc === 3 ? 182 : 183;
    if (afLen > max) {
      throw new ProtocolError(
        `TS adaptation field length ${afLen} is invalid: must be 0..${max} (adaptation_field_control ${afc})`,
      );
    }
    payloadOffset = 5 + afLen;
    if (afLen > 0) {
      const flags = bytes[offset + 5];
      discontinuity = (flags & 0x80) !== 0;
      randomAccess = (flags & 0x40) !== 0;
      if (flags & 0x10 && afLen >= 7) pcr = readPcr(bytes, offset + 6);
    }
  }
  const hasPayload = (afc & 1) !== 0 && payloadOffset < TS_PACKET_SIZE;
  return {
    pid: ((b1 & 0x1f) << 8) | bytes[offset + 2],
    pusi: (b1 & 0x40) !== 0,
    cc: b3 & 0x0f,
    hasPayload,
    payloadOffset: hasPayload ? payloadOffset : TS_PACKET_SIZE,
    transportError: (b1 & 0x80) !== 0,
    discontinuity,
    randomAccess,
    pcr,
  };
}

/** Reads a 6-byte PCR field into 27 MHz ticks. */
export function readPcr(bytes: Uint8Array, offset: number): number {
  const base = bytes[offset] * 2 ** 25 + bytes[offset + 1] * 2 ** 17 + bytes[offset + 2] * 2 ** 9 +
    bytes[offset + 3] * 2 + (bytes[offset + 4] >> 7);
  const ext = ((bytes[offset + 4] & 1) << 8) | bytes[offset + 5];
  return base * 300 + ext;
}

/** Writes a 6-byte PCR field from 27 MHz ticks (wrapped to 33 bits of base). */
export function writePcr(out: Uint8Array, offset: number, pcr27: number): void {
  const base = mod33(Math.floor(pcr27 / 300));
  const ext = ((pcr27 % 300) + 300) % 300;
  out[offset] = Math.floor(base / 2 ** 25) & 0xff;
  out[offset + 1] = Math.floor(base / 2 ** 17) & 0xff;
  out[offset + 2] = Math.floor(base / 2 ** 9) & 0xff;
  out[offset + 3] = Math.floor(base / 2) & 0xff;
  out[offset + 4] = ((base & 1) << 7) | 0x7e | (ext >> 8);
  out[offset + 5] = ext & 0xff;
}

const WRAP_33 = 2 ** 33;

/** Wraps a 90 kHz time (possibly negative or past 2^33) into the 33-bit field range. */
export function mod33(value: number): number {
  const v = value % WRAP_33;
  return v < 0 ? v + WRAP_33 : v;
}

/** Writes the 4-byte packet header; `afc` is adaptation_field_control (1 payload, 2 AF, 3 both). */
export function writePacketHeader(
  out: Uint8Array,
  offset: number,
  pid: number,
  pusi: boolean,
  afc: number,
  cc: number,
): void {
  out[offset] = SYNC_BYTE;
  out[offset + 1] = (pusi ? 0x40 : 0) | ((pid >> 8) & 0x1f);
  out[offset + 2] = pid & 0xff;
  out[offset + 3] = (afc << 4) | (cc & 0x0f);
}

export interface PacketizeOptions {
  readonly pid: number;
  /** Continuity counter of the first packet. */
  readonly cc: number;
  /** PCR for the first packet, in 27 MHz ticks. */
  readonly pcr?: number;
  /** Sets random_access_indicator in the first packet (a keyframe starts here). */
  readonly randomAccess?: boolean;
}

function firstAdaptationSize(opts: PacketizeOptions): number {
  if (opts.pcr !== undefined) return 8;
  return opts.randomAccess ? 2 : 0;
}

/** Number of packets `writePackets` uses for `size` payload bytes. */
export function packetCount(size: number, opts: PacketizeOptions): number {
  const first = PAYLOAD_SIZE - firstAdaptationSize(opts);
  return size <= first ? 1 : 1 + Math.ceil((size - first) / PAYLOAD_SIZE);
}

/**
 * Writes the concatenation of `parts` as one payload unit (PUSI on the first packet) into
 * `packetCount(size)` packets at `out[offset]`, stuffing the last one with its adaptation field.
 * Returns the next continuity counter.
 */
export function writePackets(
  out: Uint8Array,
  offset: number,
  parts: readonly Uint8Array[],
  opts: PacketizeOptions,
): number {
  let remaining = 0;
  for (const p of parts) remaining += p.length;
  let cc = opts.cc & 0x0f;
  let pos = offset;
  let part = 0;
  let partOff = 0;
  let first = true;
  while (first || remaining > 0) {
    const base = first ? firstAdaptationSize(opts) : 0;
    const n = Math.min(PAYLOAD_SIZE - base, remaining);
    const af = PAYLOAD_SIZE - n; // adaptation field bytes including its length byte
    writePacketHeader(out, pos, opts.pid, first, af > 0 ? 3 : 1, cc);
    let w = pos + 4;
    if (af > 0) {
      out[w] = af - 1;
      if (af > 1) {
        let flags = 0;
        if (first && opts.randomAccess) flags |= 0x40;
        if (first && opts.pcr !== undefined) flags |= 0x10;
        out[w + 1] = flags;
        let s = w + 2;
        if (flags & 0x10) {
          writePcr(out, s, opts.pcr!);
          s += 6;
        }
        out.fill(0xff, s, w + af);
      }
      w += af;
    }
    let left = n;
    while (left > 0) {
      const p = parts[part];
      const take = Math.min(left, p.length - partOff);
      out.set(take === p.length ? p : p.subarray(partOff, partOff + take), w);
      w += take;
      left -= take;
      partOff += take;
      if (partOff === p.length) {
        part++;
        partOff = 0;
      }
    }
    // Zero-length parts can be left behind the last byte; skip them so the loop stays bounded.
    while (part < parts.length && partOff === parts[part].length) {
      part++;
      partOff = 0;
    }
    remaining -= n;
    cc = (cc + 1) & 0x0f;
    pos += TS_PACKET_SIZE;
    first = false;
  }
  return cc;
}

/** Writes an adaptation-field-only packet carrying a PCR (no payload, so the counter does not advance). */
export function writePcrPacket(
  out: Uint8Array,
  offset: number,
  pid: number,
  cc: number,
  pcr27: number,
): void {
  writePacketHeader(out, offset, pid, false, 2, cc);
  out[offset + 4] = 183;
  out[offset + 5] = 0x10;
  writePcr(out, offset + 6, pcr27);
  out.fill(0xff, offset + 12, offset + TS_PACKET_SIZE);
}

/**
 * Splits whole packets into views of at most `size` bytes (default 1316 = 7 × 188), for datagram
 * transports. No copy.
 */
export function splitPayloads(bytes: Uint8Array, size = SRT_PAYLOAD_SIZE): Uint8Array[] {
  if (size < TS_PACKET_SIZE || size % TS_PACKET_SIZE !== 0) {
    throw new RangeError(`payload size ${size} is invalid: must be a positive multiple of ${TS_PACKET_SIZE}`);
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, Math.min(i + size, bytes.length)));
  return out;
}
