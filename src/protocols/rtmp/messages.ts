/**
 * RTMP message types, protocol control messages (RTMP 1.0 §5.4) and user control events (§6.2).
 * Control messages travel on chunk stream 2, message stream 0.
 */
import { readU32, u32Bytes } from "../../core/bytes.ts";
import { ProtocolError } from "../../core/errors.ts";
import { checkChunkSize, chunkMessage } from "./chunk_stream.ts";

export const MessageType = {
  setChunkSize: 1,
  abort: 2,
  ack: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  dataAmf3: 15,
  sharedObjectAmf3: 16,
  commandAmf3: 17,
  dataAmf0: 18,
  sharedObjectAmf0: 19,
  commandAmf0: 20,
  aggregate: 22,
} as const;

export const UserControl = {
  streamBegin: 0,
  streamEof: 1,
  streamDry: 2,
  setBufferLength: 3,
  streamIsRecorded: 4,
  pingRequest: 6,
  pingResponse: 7,
} as const;

/** Chunk stream ids we send on: control, commands, and media (shared by every player). */
export const Csid = { control: 2, command: 3, audio: 4, data: 5, video: 6 } as const;

/** Set Peer Bandwidth limit types. */
export const LimitType = { hard: 0, soft: 1, dynamic: 2 } as const;

function control(type: number, payload: Uint8Array): Uint8Array {
  return chunkMessage({ csid: Csid.control, type, streamId: 0, timestamp: 0, payload }, { chunkSize: 128 });
}

export function setChunkSizeMessage(size: number): Uint8Array {
  checkChunkSize(size);
  return control(MessageType.setChunkSize, u32Bytes(size));
}

export function ackMessage(sequence: number): Uint8Array {
  return control(MessageType.ack, u32Bytes(sequence));
}

export function windowAckSizeMessage(size: number): Uint8Array {
  return control(MessageType.windowAckSize, u32Bytes(size));
}

export function setPeerBandwidthMessage(size: number, limit: number = LimitType.dynamic): Uint8Array {
  const b = new Uint8Array(5);
  new DataView(b.buffer).setUint32(0, size >>> 0);
  b[4] = limit;
  return control(MessageType.setPeerBandwidth, b);
}

export function userControlMessage(event: number, value: number, extra?: number): Uint8Array {
  const b = new Uint8Array(extra === undefined ? 6 : 10);
  const v = new DataView(b.buffer);
  v.setUint16(0, event);
  v.setUint32(2, value >>> 0);
  if (extra !== undefined) v.setUint32(6, extra >>> 0);
  return control(MessageType.userControl, b);
}

function need(payload: Uint8Array, n: number, what: string) {
  if (payload.byteLength < n) {
    throw new ProtocolError(`RTMP ${what} of ${payload.byteLength} bytes is invalid: must be at least ${n}`);
  }
}

/** Set Chunk Size payload; the top bit must be zero, and 0 is invalid. */
export function parseSetChunkSize(payload: Uint8Array): number {
  need(payload, 4, "Set Chunk Size message");
  const n = readU32(payload, 0);
  checkChunkSize(n);
  return n;
}

/** Abort, Acknowledgement and Window Acknowledgement Size carry one 32-bit value. */
export function parseU32Message(payload: Uint8Array, what: string): number {
  need(payload, 4, what);
  return readU32(payload, 0);
}

export function parseSetPeerBandwidth(payload: Uint8Array): { size: number; limit: number } {
  need(payload, 5, "Set Peer Bandwidth message");
  return { size: readU32(payload, 0), limit: payload[4] };
}

export interface UserControlEvent {
  event: number;
  value: number;
  /** SetBufferLength's buffer length in ms. */
  extra?: number;
}

export function parseUserControl(payload: Uint8Array): UserControlEvent {
  need(payload, 2, "User Control message");
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const event = v.getUint16(0);
  const value = payload.byteLength >= 6 ? v.getUint32(2) : 0;
  const extra = event === UserControl.setBufferLength && payload.byteLength >= 10
    ? v.getUint32(6)
    : undefined;
  return { event, value, extra };
}

/** One FLV-like sub-message of an Aggregate message (type 22). */
export interface AggregatePart {
  type: number;
  timestamp: number;
  payload: Uint8Array;
}

/**
 * Splits an Aggregate message: back-to-back FLV tags (11-byte header, body, 4-byte back pointer)
 * whose timestamps are rebased on the aggregate's own timestamp.
 */
export function splitAggregate(payload: Uint8Array, timestamp: number): AggregatePart[] {
  const parts: AggregatePart[] = [];
  let o = 0;
  let first: number | undefined;
  while (o < payload.byteLength) {
    if (o + 11 > payload.byteLength) {
      throw new ProtocolError(`RTMP aggregate sub-header at offset ${o} is truncated`);
    }
    const type = payload[o];
    const size = (payload[o + 1] << 16) | (payload[o + 2] << 8) | payload[o + 3];
    const ts = ((payload[o + 7] << 24) | (payload[o + 4] << 16) | (payload[o + 5] << 8) | payload[o + 6]) >>>
      0;
    if (o + 11 + size > payload.byteLength) {
      throw new ProtocolError(
        `RTMP aggregate sub-message at offset ${o} of ${size} bytes overruns the message`,
      );
    }
    first ??= ts;
    parts.push({
      type,
      timestamp: (timestamp + ts - first) >>> 0,
      payload: payload.subarray(o + 11, o + 11 + size),
    });
    o += 11 + size + 4;
  }
  return parts;
}
