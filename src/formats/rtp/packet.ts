import { ProtocolError } from "../../core/errors.ts";

/** The fields of an RTP packet (RFC 3550 §5.1) that the server uses. */
export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  /** 16-bit sequence number. */
  sequence: number;
  /** 32-bit timestamp in the payload's clock. */
  timestamp: number;
  ssrc: number;
}

export interface RtpPacket extends RtpHeader {
  /** A view into the packet: CSRCs, extension and padding already stripped. */
  payload: Uint8Array;
}

export const RTP_HEADER_SIZE = 12;

/** Parses one RTP packet; throws ProtocolError on malformed bytes. */
export function parseRtp(b: Uint8Array): RtpPacket {
  if (b.length < RTP_HEADER_SIZE) {
    throw new ProtocolError(`RTP packet of ${b.length} bytes is invalid: must be at least 12 bytes`);
  }
  const version = b[0] >> 6;
  if (version !== 2) throw new ProtocolError(`RTP version ${version} is invalid: must be 2`);
  const csrcCount = b[0] & 0x0f;
  let offset = RTP_HEADER_SIZE + 4 * csrcCount;
  if (b[0] & 0x10) {
    if (offset + 4 > b.length) {
      throw new ProtocolError(
        `RTP header extension at offset ${offset} is invalid: runs past ${b.length} bytes`,
      );
    }
    offset += 4 + 4 * ((b[offset + 2] << 8) | b[offset + 3]);
  }
  let end = b.length;
  if (b[0] & 0x20) end -= b[b.length - 1];
  if (offset > end) {
    throw new ProtocolError(
      `RTP packet of ${b.length} bytes is invalid: headers and padding exceed its size`,
    );
  }
  return {
    payloadType: b[1] & 0x7f,
    marker: (b[1] & 0x80) !== 0,
    sequence: (b[2] << 8) | b[3],
    timestamp: ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0,
    ssrc: ((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]) >>> 0,
    payload: b.subarray(offset, end),
  };
}

/** Writes a 12-byte RTP header (no CSRC, no extension) at `o`. */
export function writeRtpHeader(out: Uint8Array, o: number, h: RtpHeader): void {
  out[o] = 0x80;
  out[o + 1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  out[o + 2] = (h.sequence >> 8) & 0xff;
  out[o + 3] = h.sequence & 0xff;
  out[o + 4] = (h.timestamp >>> 24) & 0xff;
  out[o + 5] = (h.timestamp >>> 16) & 0xff;
  out[o + 6] = (h.timestamp >>> 8) & 0xff;
  out[o + 7] = h.timestamp & 0xff;
  out[o + 8] = (h.ssrc >>> 24) & 0xff;
  out[o + 9] = (h.ssrc >>> 16) & 0xff;
  out[o + 10] = (h.ssrc >>> 8) & 0xff;
  out[o + 11] = h.ssrc & 0xff;
}

/** Builds one RTP packet (header + payload). */
export function buildRtp(h: RtpHeader, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(RTP_HEADER_SIZE + payload.length);
  writeRtpHeader(out, 0, h);
  out.set(payload, RTP_HEADER_SIZE);
  return out;
}

/** Signed distance from sequence number `a` to `b` (positive when b is later), modulo 2^16. */
export function seqDelta(a: number, b: number): number {
  const d = (b - a) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}
