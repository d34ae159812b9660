/**
 * Control Information Fields of ACK, NAK (loss list) and DROPREQ packets
 * (draft-sharabayko-srt §3.2.4-3.2.9, Appendix A).
 */
import { ProtocolError } from "../../core/errors.ts";
import { seqDiff } from "./sequence.ts";

export interface AckInfo {
  /** First packet not yet received (last acknowledged + 1). */
  lastAckSeq: number;
  /** The remaining fields are absent in a light ACK. */
  rttUs?: number;
  rttVarUs?: number;
  /** Free receive buffer, in packets. */
  availableBuffer?: number;
  packetsPerSecond?: number;
  linkCapacity?: number;
  bytesPerSecond?: number;
}

const ACK_FIELDS = [
  "rttUs",
  "rttVarUs",
  "availableBuffer",
  "packetsPerSecond",
  "linkCapacity",
  "bytesPerSecond",
] as const;

/** Light ACK: the sequence number only; full ACK: all seven words. */
export function encodeAck(a: AckInfo): Uint8Array {
  const light = a.rttUs === undefined;
  const out = new Uint8Array(light ? 4 : 28);
  const v = new DataView(out.buffer);
  v.setUint32(0, a.lastAckSeq & 0x7fffffff);
  if (!light) ACK_FIELDS.forEach((k, i) => v.setUint32(4 + i * 4, Math.max(0, Math.round(a[k] ?? 0)) >>> 0));
  return out;
}

export function decodeAck(cif: Uint8Array): AckInfo {
  if (cif.length < 4) {
    throw new ProtocolError(`SRT ACK of ${cif.length} bytes is invalid: must be at least 4`);
  }
  const v = new DataView(cif.buffer, cif.byteOffset, cif.byteLength);
  const a: AckInfo = { lastAckSeq: v.getUint32(0) & 0x7fffffff };
  const words = Math.min(7, cif.length >> 2);
  for (let i = 1; i < words; i++) a[ACK_FIELDS[i - 1]] = v.getUint32(i * 4);
  return a;
}

/** An inclusive range of lost sequence numbers. */
export type SeqRange = readonly [from: number, to: number];

/** Encodes a loss list: single numbers as is, ranges as (first | 0x80000000, last). */
export function encodeLossList(ranges: readonly SeqRange[]): Uint8Array {
  let words = 0;
  for (const [a, b] of ranges) words += a === b ? 1 : 2;
  const out = new Uint8Array(words * 4);
  const v = new DataView(out.buffer);
  let o = 0;
  for (const [a, b] of ranges) {
    if (a === b) {
      v.setUint32(o, a & 0x7fffffff);
      o += 4;
    } else {
      v.setUint32(o, (0x80000000 | a) >>> 0);
      v.setUint32(o + 4, b & 0x7fffffff);
      o += 8;
    }
  }
  return out;
}

/** Decodes a loss list; a range whose end comes before its start is a protocol error. */
export function decodeLossList(cif: Uint8Array): SeqRange[] {
  const v = new DataView(cif.buffer, cif.byteOffset, cif.byteLength);
  const n = cif.length >> 2;
  const out: SeqRange[] = [];
  for (let i = 0; i < n; i++) {
    const w = v.getUint32(i * 4);
    if (w & 0x80000000) {
      if (i + 1 >= n) throw new ProtocolError("SRT loss list is invalid: a range start has no end");
      const a = w & 0x7fffffff;
      const b = v.getUint32(++i * 4) & 0x7fffffff;
      if (seqDiff(a, b) < 0) {
        throw new ProtocolError(`SRT loss range ${a}..${b} is invalid: the end precedes the start`);
      }
      out.push([a, b]);
    } else out.push([w, w]);
  }
  return out;
}

export function encodeDropRequest(first: number, last: number): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint32(0, first & 0x7fffffff);
  v.setUint32(4, last & 0x7fffffff);
  return out;
}

export function decodeDropRequest(cif: Uint8Array): SeqRange {
  if (cif.length < 8) throw new ProtocolError(`SRT DROPREQ of ${cif.length} bytes is invalid: must be 8`);
  const v = new DataView(cif.buffer, cif.byteOffset, cif.byteLength);
  return [v.getUint32(0) & 0x7fffffff, v.getUint32(4) & 0x7fffffff];
}

/** Collapses sorted sequence numbers into ranges (for NAK reports). */
export function toRanges(seqs: readonly number[]): SeqRange[] {
  const out: [number, number][] = [];
  for (const s of seqs) {
    const last = out[out.length - 1];
    if (last && seqDiff(last[1], s) === 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}
