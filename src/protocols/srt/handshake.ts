/**
 * Handshake CIF (draft-sharabayko-srt §3.2.1): 48 fixed bytes, then extension blocks
 * (type:16, length in 32-bit words:16, contents). Rejections carry 1000 + reason as the type.
 */
import { ProtocolError } from "../../core/errors.ts";

export const HS_SIZE = 48;

export const HandshakeType = {
  Done: 0xfffffffd,
  Agreement: 0xfffffffe,
  Conclusion: 0xffffffff,
  WaveAHand: 0x00000000,
  Induction: 0x00000001,
} as const;

/** Extension Field of an INDUCTION response from an HSv5 listener. */
export const SRT_MAGIC = 0x4a17;
/** Extension Field of a caller's INDUCTION request (legacy UDT_DGRAM). */
export const UDT_DGRAM = 2;

/** Extension Field flags of a CONCLUSION. */
export const ExtFlag = { HsReq: 0x1, KmReq: 0x2, Config: 0x4 } as const;

export interface HandshakeExtension {
  type: number;
  data: Uint8Array;
}

export interface Handshake {
  version: number;
  /** Advertised cipher: 0 none, 2/3/4 = AES-128/192/256. */
  encryption: number;
  /** SRT_MAGIC in an induction response; ExtFlag bits in a conclusion. */
  extensionField: number;
  isn: number;
  mtu: number;
  flowWindow: number;
  type: number;
  socketId: number;
  cookie: number;
  /** 16 bytes exactly as on the wire (see encodePeerIp). */
  peerIp: Uint8Array;
  extensions: HandshakeExtension[];
}

export function decodeHandshake(cif: Uint8Array): Handshake {
  if (cif.length < HS_SIZE) {
    throw new ProtocolError(`SRT handshake of ${cif.length} bytes is invalid: must be at least ${HS_SIZE}`);
  }
  const v = new DataView(cif.buffer, cif.byteOffset, cif.byteLength);
  const extensions: HandshakeExtension[] = [];
  for (let o = HS_SIZE; o < cif.length;) {
    if (o + 4 > cif.length) throw new ProtocolError(`SRT handshake extension header at ${o} is truncated`);
    const type = v.getUint16(o);
    const len = v.getUint16(o + 2) * 4;
    if (o + 4 + len > cif.length) {
      throw new ProtocolError(
        `SRT handshake extension ${type} of ${len} bytes is invalid: only ${cif.length - o - 4} remain`,
      );
    }
    extensions.push({ type, data: cif.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return {
    version: v.getUint32(0),
    encryption: v.getUint16(4),
    extensionField: v.getUint16(6),
    isn: v.getUint32(8),
    mtu: v.getUint32(12),
    flowWindow: v.getUint32(16),
    type: v.getUint32(20),
    socketId: v.getUint32(24),
    cookie: v.getUint32(28),
    peerIp: cif.slice(32, 48),
    extensions,
  };
}

export function encodeHandshake(hs: Handshake): Uint8Array {
  let size = HS_SIZE;
  for (const e of hs.extensions) {
    if (e.data.length % 4 !== 0) {
      throw new RangeError(`extension ${e.type} length ${e.data.length} is not 4-aligned`);
    }
    size += 4 + e.data.length;
  }
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, hs.version);
  v.setUint16(4, hs.encryption);
  v.setUint16(6, hs.extensionField);
  v.setUint32(8, hs.isn);
  v.setUint32(12, hs.mtu);
  v.setUint32(16, hs.flowWindow);
  v.setUint32(20, hs.type >>> 0);
  v.setUint32(24, hs.socketId >>> 0);
  v.setUint32(28, hs.cookie >>> 0);
  out.set(hs.peerIp.subarray(0, 16), 32);
  let o = HS_SIZE;
  for (const e of hs.extensions) {
    v.setUint16(o, e.type);
    v.setUint16(o + 2, e.data.length / 4);
    out.set(e.data, o + 4);
    o += 4 + e.data.length;
  }
  return out;
}

/**
 * Peer IP as libsrt puts it on the wire: each 32-bit word holds 4 address bytes reversed
 * (host-order words swapped to network order on little-endian machines).
 */
export function encodePeerIp(address: string): Uint8Array {
  const out = new Uint8Array(16);
  const v4 = address.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) {
    for (let i = 0; i < 4; i++) out[3 - i] = Number(v4[i + 1]) & 0xff;
    return out;
  }
  const bytes = ipv6Bytes(address);
  if (bytes) {
    for (let w = 0; w < 4; w++) {
      for (let i = 0; i < 4; i++) out[w * 4 + 3 - i] = bytes[w * 4 + i];
    }
  }
  return out;
}

function ipv6Bytes(address: string): Uint8Array | undefined {
  const parts = address.split("::");
  if (parts.length > 2) return undefined;
  const head = parts[0] ? parts[0].split(":") : [];
  const tail = parts.length === 2 && parts[1] ? parts[1].split(":") : [];
  const groups = parts.length === 2
    ? [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail]
    : head;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

/** Rejection reasons: libsrt's SRT_REJ_* (0..17) and access-control SRT_REJX_* (1000 + HTTP-like). */
export const RejectReason = {
  Unknown: 0,
  System: 1,
  Peer: 2,
  Resource: 3,
  Rogue: 4,
  Backlog: 5,
  Ipe: 6,
  Close: 7,
  Version: 8,
  RdvCookie: 9,
  BadSecret: 10,
  Unsecure: 11,
  MessageApi: 12,
  Congestion: 13,
  Filter: 14,
  Group: 15,
  Timeout: 16,
  Crypto: 17,
  BadRequest: 1400,
  Unauthorized: 1401,
  Overload: 1402,
  Forbidden: 1403,
  NotFound: 1404,
  BadMode: 1405,
  Unacceptable: 1406,
  Conflict: 1409,
  ServerError: 1500,
} as const;

const REASON_TEXT: Record<number, string> = {
  0: "unknown",
  1: "system error",
  2: "rejected by peer",
  3: "resource allocation problem",
  4: "incorrect data in handshake",
  5: "listener backlog exceeded",
  6: "internal program error",
  7: "socket is closing",
  8: "peer version too old",
  9: "rendezvous cookie collision",
  10: "wrong passphrase",
  11: "passphrase required or unexpected",
  12: "stream flag collision",
  13: "incompatible congestion controller",
  14: "incompatible packet filter",
  15: "incompatible group",
  16: "timeout",
  17: "incompatible cryptographic mode",
  1400: "bad request",
  1401: "unauthorized",
  1402: "overload",
  1403: "forbidden",
  1404: "not found",
  1405: "bad mode",
  1406: "unacceptable",
  1409: "conflict",
  1500: "internal server error",
};

export function rejectReasonText(reason: number): string {
  return REASON_TEXT[reason] ?? `reason ${reason}`;
}

/** The handshake type that carries a rejection (libsrt URQFailure). */
export function rejectionType(reason: number): number {
  return 1000 + reason;
}

/** The reason of a rejection handshake type, or undefined when it is not one. */
export function rejectionReason(type: number): number | undefined {
  return type > 1000 && type < 0xfffffff0 ? type - 1000 : undefined;
}
