/**
 * RTCP (RFC 3550 §6): sender reports (A/V sync and statistics), receiver reports and BYE.
 * Only the parts a media server needs; other packet types in a compound packet are skipped.
 */
import { ProtocolError } from "../../core/errors.ts";

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;

/** Seconds between 1900 (NTP epoch) and 1970 (Unix epoch). */
const NTP_UNIX_OFFSET = 2208988800;

export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the last report, as an 8-bit fixed point number (0..255). */
  fractionLost: number;
  cumulativeLost: number;
  highestSeq: number;
  jitter: number;
  lastSr: number;
  delaySinceLastSr: number;
}

export interface SenderReport {
  type: typeof RTCP_SR;
  ssrc: number;
  /** NTP time converted to Unix milliseconds. */
  ntpMs: number;
  /** The middle 32 bits of the NTP time (for LSR in receiver reports). */
  ntpMiddle: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
}

export interface ReceiverReport {
  type: typeof RTCP_RR;
  ssrc: number;
  reports: ReportBlock[];
}

export interface Bye {
  type: typeof RTCP_BYE;
  ssrcs: number[];
}

export type RtcpPacket = SenderReport | ReceiverReport | Bye;

/** Parses a compound RTCP packet; unknown packet types are skipped. */
export function parseRtcp(b: Uint8Array): RtcpPacket[] {
  const out: RtcpPacket[] = [];
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 0;
  while (o + 4 <= b.length) {
    if (b[o] >> 6 !== 2) {
      throw new ProtocolError(`RTCP version ${b[o] >> 6} at offset ${o} is invalid: must be 2`);
    }
    const count = b[o] & 0x1f;
    const type = b[o + 1];
    const len = 4 * (v.getUint16(o + 2) + 1);
    if (o + len > b.length) {
      throw new ProtocolError(
        `RTCP packet length ${len} at offset ${o} is invalid: only ${b.length - o} bytes left`,
      );
    }
    const end = o + len;
    if (type === RTCP_SR && len >= 28) {
      const sec = v.getUint32(o + 8), frac = v.getUint32(o + 12);
      out.push({
        type: RTCP_SR,
        ssrc: v.getUint32(o + 4),
        ntpMs: (sec - NTP_UNIX_OFFSET) * 1000 + (frac / 4294967296) * 1000,
        ntpMiddle: ((sec & 0xffff) * 65536 + (frac >>> 16)) >>> 0,
        rtpTimestamp: v.getUint32(o + 16),
        packetCount: v.getUint32(o + 20),
        octetCount: v.getUint32(o + 24),
        reports: blocks(v, o + 28, count, end),
      });
    } else if (type === RTCP_RR && len >= 8) {
      out.push({ type: RTCP_RR, ssrc: v.getUint32(o + 4), reports: blocks(v, o + 8, count, end) });
    } else if (type === RTCP_BYE) {
      const ssrcs: number[] = [];
      for (let i = 0; i < count && o + 8 + 4 * i <= end; i++) ssrcs.push(v.getUint32(o + 4 + 4 * i));
      out.push({ type: RTCP_BYE, ssrcs });
    }
    o = end;
  }
  return out;
}

function blocks(v: DataView, o: number, count: number, end: number): ReportBlock[] {
  const out: ReportBlock[] = [];
  for (let i = 0; i < count && o + 24 <= end; i++, o += 24) {
    const lost = v.getUint32(o + 4);
    out.push({
      ssrc: v.getUint32(o),
      fractionLost: lost >>> 24,
      cumulativeLost: lost & 0xffffff,
      highestSeq: v.getUint32(o + 8),
      jitter: v.getUint32(o + 12),
      lastSr: v.getUint32(o + 16),
      delaySinceLastSr: v.getUint32(o + 20),
    });
  }
  return out;
}

/** A sender report without report blocks. `wallMs` is Unix time in milliseconds. */
export function buildSenderReport(o: {
  ssrc: number;
  wallMs: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}): Uint8Array {
  const b = new Uint8Array(28);
  const v = new DataView(b.buffer);
  b[0] = 0x80;
  b[1] = RTCP_SR;
  v.setUint16(2, 6);
  v.setUint32(4, o.ssrc >>> 0);
  const secs = Math.floor(o.wallMs / 1000);
  v.setUint32(8, (secs + NTP_UNIX_OFFSET) >>> 0);
  v.setUint32(12, Math.floor(((o.wallMs - secs * 1000) / 1000) * 4294967296) >>> 0);
  v.setUint32(16, o.rtpTimestamp >>> 0);
  v.setUint32(20, o.packetCount >>> 0);
  v.setUint32(24, o.octetCount >>> 0);
  return b;
}

/** A receiver report with one block per source. */
export function buildReceiverReport(ssrc: number, reports: readonly ReportBlock[]): Uint8Array {
  const b = new Uint8Array(8 + 24 * reports.length);
  const v = new DataView(b.buffer);
  b[0] = 0x80 | reports.length;
  b[1] = RTCP_RR;
  v.setUint16(2, 1 + 6 * reports.length);
  v.setUint32(4, ssrc >>> 0);
  let o = 8;
  for (const r of reports) {
    v.setUint32(o, r.ssrc >>> 0);
    v.setUint32(o + 4, ((r.fractionLost & 0xff) << 24 | (r.cumulativeLost & 0xffffff)) >>> 0);
    v.setUint32(o + 8, r.highestSeq >>> 0);
    v.setUint32(o + 12, r.jitter >>> 0);
    v.setUint32(o + 16, r.lastSr >>> 0);
    v.setUint32(o + 20, r.delaySinceLastSr >>> 0);
    o += 24;
  }
  return b;
}

export function buildBye(ssrc: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  b[0] = 0x81;
  b[1] = RTCP_BYE;
  v.setUint16(2, 1);
  v.setUint32(4, ssrc >>> 0);
  return b;
}
