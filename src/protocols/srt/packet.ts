/**
 * SRT packet header codec (draft-sharabayko-srt §3): a 16-byte header with the F bit telling data
 * from control packets. Decoding returns views into the datagram; callers copy what they keep.
 */
import { ProtocolError } from "../../core/errors.ts";

export const HEADER_SIZE = 16;
/** libsrt's default live payload: 7 TS packets. */
export const LIVE_PAYLOAD_SIZE = 1316;

export const ControlType = {
  Handshake: 0x0000,
  Keepalive: 0x0001,
  Ack: 0x0002,
  Nak: 0x0003,
  CongestionWarning: 0x0004,
  Shutdown: 0x0005,
  AckAck: 0x0006,
  DropReq: 0x0007,
  PeerError: 0x0008,
  UserDefined: 0x7fff,
} as const;

/** PP field: where a packet sits in its message. Live mode uses Solo only. */
export const Position = { Middle: 0, Last: 1, First: 2, Solo: 3 } as const;

/** KK field: which stream key encrypted the payload. */
export const KeyFlag = { None: 0, Even: 1, Odd: 2 } as const;

export interface DataPacket {
  readonly control: false;
  seq: number;
  position: number;
  inOrder: boolean;
  key: number;
  retransmitted: boolean;
  msgNo: number;
  timestamp: number;
  destId: number;
  payload: Uint8Array;
}

export interface ControlPacket {
  readonly control: true;
  type: number;
  subtype: number;
  /** Type-specific information (ACK number, message number, error code…). */
  info: number;
  timestamp: number;
  destId: number;
  /** Control Information Field. */
  cif: Uint8Array;
}

export type Packet = DataPacket | ControlPacket;

/** Decodes a datagram. Throws ProtocolError when it is too short to be SRT. */
export function decodePacket(buf: Uint8Array): Packet {
  if (buf.length < HEADER_SIZE) {
    throw new ProtocolError(`SRT packet of ${buf.length} bytes is invalid: must be at least ${HEADER_SIZE}`);
  }
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const w0 = v.getUint32(0);
  const w1 = v.getUint32(4);
  const timestamp = v.getUint32(8);
  const destId = v.getUint32(12);
  if (w0 & 0x80000000) {
    return {
      control: true,
      type: (w0 >>> 16) & 0x7fff,
      subtype: w0 & 0xffff,
      info: w1,
      timestamp,
      destId,
      cif: buf.subarray(HEADER_SIZE),
    };
  }
  return {
    control: false,
    seq: w0,
    position: w1 >>> 30,
    inOrder: (w1 & 0x20000000) !== 0,
    key: (w1 >>> 27) & 3,
    retransmitted: (w1 & 0x04000000) !== 0,
    msgNo: w1 & 0x03ffffff,
    timestamp,
    destId,
    payload: buf.subarray(HEADER_SIZE),
  };
}

/** Writes a data packet header at the start of `out` (which holds the payload from byte 16). */
export function writeDataHeader(out: Uint8Array, p: Omit<DataPacket, "control" | "payload">): void {
  const v = new DataView(out.buffer, out.byteOffset, HEADER_SIZE);
  v.setUint32(0, p.seq & 0x7fffffff);
  v.setUint32(
    4,
    ((p.position & 3) << 30 | (p.inOrder ? 0x20000000 : 0) | (p.key & 3) << 27 |
      (p.retransmitted ? 0x04000000 : 0) | (p.msgNo & 0x03ffffff)) >>> 0,
  );
  v.setUint32(8, p.timestamp >>> 0);
  v.setUint32(12, p.destId >>> 0);
}

/** Sets or clears the R (retransmitted) flag of an encoded data packet in place. */
export function setRetransmitted(packet: Uint8Array, on: boolean): void {
  if (on) packet[4] |= 0x04;
  else packet[4] &= ~0x04;
}

export function encodeDataPacket(p: Omit<DataPacket, "control">): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + p.payload.length);
  out.set(p.payload, HEADER_SIZE);
  writeDataHeader(out, p);
  return out;
}

export function encodeControlPacket(p: Omit<ControlPacket, "control">): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + p.cif.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, (0x80000000 | (p.type & 0x7fff) << 16 | (p.subtype & 0xffff)) >>> 0);
  v.setUint32(4, p.info >>> 0);
  v.setUint32(8, p.timestamp >>> 0);
  v.setUint32(12, p.destId >>> 0);
  out.set(p.cif, HEADER_SIZE);
  return out;
}

/** Reads the destination socket id without decoding the rest (for demultiplexing). */
export function destinationId(buf: Uint8Array): number {
  return ((buf[12] << 24) | (buf[13] << 16) | (buf[14] << 8) | buf[15]) >>> 0;
}
