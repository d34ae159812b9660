/**
 * Handshake extension contents (draft-sharabayko-srt §3.2.1.1-3.2.1.3): HSREQ/HSRSP, the string
 * extensions (SID, congestion, filter) and the one-word KM error response.
 */
import { ProtocolError } from "../../core/errors.ts";

export const ExtType = {
  HsReq: 1,
  HsRsp: 2,
  KmReq: 3,
  KmRsp: 4,
  Sid: 5,
  Congestion: 6,
  Filter: 7,
  Group: 8,
} as const;

export const SrtFlag = {
  TsbpdSnd: 0x01,
  TsbpdRcv: 0x02,
  Crypt: 0x04,
  TlPktDrop: 0x08,
  NakReport: 0x10,
  RexmitFlg: 0x20,
  Stream: 0x40,
  FilterCap: 0x80,
} as const;

/** What we advertise: live mode with TSBPD both ways, drops, periodic NAKs (no packet filter). */
export const LIVE_FLAGS = SrtFlag.TsbpdSnd | SrtFlag.TsbpdRcv | SrtFlag.Crypt | SrtFlag.TlPktDrop |
  SrtFlag.NakReport | SrtFlag.RexmitFlg;

/** The SRT version we announce (1.5.0); HSv5 needs at least 1.3.0. */
export const SRT_VERSION = 0x010500;
export const MIN_HSV5_VERSION = 0x010300;

export interface HsReq {
  version: number;
  flags: number;
  /** The latency (ms) the sender of this extension wants when receiving. */
  recvDelayMs: number;
  /** The latency (ms) it proposes for its peer's receiving direction. */
  sendDelayMs: number;
}

export function encodeHsReq(h: HsReq): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint32(0, h.version);
  v.setUint32(4, h.flags);
  v.setUint16(8, Math.min(0xffff, h.recvDelayMs));
  v.setUint16(10, Math.min(0xffff, h.sendDelayMs));
  return out;
}

export function decodeHsReq(data: Uint8Array): HsReq {
  if (data.length < 12) {
    throw new ProtocolError(`SRT HSREQ of ${data.length} bytes is invalid: must be at least 12`);
  }
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    version: v.getUint32(0),
    flags: v.getUint32(4),
    recvDelayMs: v.getUint16(8),
    sendDelayMs: v.getUint16(10),
  };
}

export const MAX_SID_LENGTH = 512;

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * String extensions travel as 32-bit words with their bytes reversed (libsrt packs the string into
 * host-order words and swaps every control word to network order), zero-padded.
 */
export function encodeStringExt(s: string): Uint8Array {
  const raw = enc.encode(s);
  const out = new Uint8Array(Math.ceil(raw.length / 4) * 4);
  for (let i = 0; i < raw.length; i++) out[(i & ~3) + 3 - (i & 3)] = raw[i];
  return out;
}

export function decodeStringExt(data: Uint8Array): string {
  const raw = new Uint8Array(data.length & ~3);
  for (let i = 0; i < raw.length; i++) raw[i] = data[(i & ~3) + 3 - (i & 3)];
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  return dec.decode(raw.subarray(0, end));
}

export const KmState = { Unsecured: 0, Securing: 1, Secured: 2, NoSecret: 3, BadSecret: 4 } as const;

/** The one-word KMRSP error is written in libsrt's host order: little-endian in practice. */
export function encodeKmState(state: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, state, true);
  return out;
}

export function decodeKmState(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true);
}
