/**
 * VP8 RTP payload format (RFC 7741): every packet starts with a payload descriptor; a frame is split
 * into packets of at most `max` bytes. The descriptor carries a 15-bit PictureID (X=1, I=1, M=1) so
 * a receiver can tell pictures apart; no temporal layers (no L/T/K fields). The depacketizer takes
 * any descriptor a sender may write (RFC 7741 4.2) and returns whole frames.
 */
import { ProtocolError } from "../../core/errors.ts";

/** Descriptor size we write: flags, extension flags, 2-byte PictureID. */
const DESCRIPTOR = 4;

/** The RTP payloads of one VP8 frame (partition index 0 throughout, S=1 on the first packet). */
export function vp8Payloads(frame: Uint8Array, max: number, pictureId: number): Uint8Array[] {
  const step = max - DESCRIPTOR;
  if (step < 1) {
    throw new ProtocolError(`RTP payload size ${max} is invalid for VP8: must exceed ${DESCRIPTOR}`);
  }
  const out: Uint8Array[] = [];
  const pid = pictureId & 0x7fff;
  for (let o = 0; o < frame.length || o === 0; o += step) {
    const end = Math.min(frame.length, o + step);
    const p = new Uint8Array(DESCRIPTOR + end - o);
    p[0] = 0x80 | (o === 0 ? 0x10 : 0); // X, S (N=0: frames may be references)
    p[1] = 0x80; // I: PictureID present
    p[2] = 0x80 | (pid >> 8); // M: 15-bit PictureID
    p[3] = pid & 0xff;
    p.set(frame.subarray(o, end), DESCRIPTOR);
    out.push(p);
    if (frame.length === 0) break;
  }
  return out;
}

/** One packet's descriptor read: where the VP8 payload starts and whether it starts a frame. */
export function vp8Descriptor(p: Uint8Array): { start: boolean; offset: number } {
  if (p.length < 1) throw new ProtocolError("VP8 RTP payload of 0 bytes is invalid: needs a descriptor");
  let o = 1;
  const x = (p[0] & 0x80) !== 0;
  const start = (p[0] & 0x10) !== 0 && (p[0] & 0x07) === 0;
  if (x) {
    if (p.length < 2) throw new ProtocolError("VP8 RTP descriptor is invalid: X set but no extension byte");
    const ext = p[1];
    o = 2;
    if (ext & 0x80) o += (p[o] ?? 0) & 0x80 ? 2 : 1; // I: 7- or 15-bit PictureID
    if (ext & 0x40) o += 1; // L: TL0PICIDX
    if (ext & 0x30) o += 1; // T or K: TID/Y/KEYIDX
  }
  if (o > p.length) {
    throw new ProtocolError(`VP8 RTP descriptor of ${o} bytes is invalid: the payload has ${p.length}`);
  }
  return { start, offset: o };
}
