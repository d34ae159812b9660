/**
 * VP9 RTP payload format (RFC 9628), non-flexible mode without layers: each packet has a payload
 * descriptor with a 15-bit PictureID (I=1), P (inter-picture predicted: every non-key frame), B and E
 * (start and end of the frame); the first packet of a key frame carries the scalability structure
 * (V=1) with the picture's size. A frame (or a superframe, which the decoder splits) is cut into
 * packets of at most `max` bytes.
 */
import { ProtocolError } from "../../core/errors.ts";

const I = 0x80, P = 0x40, B = 0x08, E = 0x04, V = 0x02;
/** Flags byte and the 2-byte PictureID. */
const DESCRIPTOR = 3;
/** The scalability structure: N_S=0, Y=1, G=0, then one 16-bit width and height. */
const SS = 5;

export interface Vp9PictureInfo {
  key: boolean;
  pictureId: number;
  width: number;
  height: number;
}

/** The RTP payloads of one VP9 frame. */
export function vp9Payloads(frame: Uint8Array, max: number, pic: Vp9PictureInfo): Uint8Array[] {
  if (max <= DESCRIPTOR + SS) {
    throw new ProtocolError(`RTP payload size ${max} is invalid for VP9: must exceed ${DESCRIPTOR + SS}`);
  }
  const out: Uint8Array[] = [];
  const pid = pic.pictureId & 0x7fff;
  let o = 0;
  do {
    const first = o === 0;
    const ss = first && pic.key ? SS : 0;
    const head = DESCRIPTOR + ss;
    const end = Math.min(frame.length, o + max - head);
    const p = new Uint8Array(head + end - o);
    p[0] = I | (pic.key ? 0 : P) | (first ? B : 0) | (end === frame.length ? E : 0) | (ss ? V : 0);
    p[1] = 0x80 | (pid >> 8);
    p[2] = pid & 0xff;
    if (ss) {
      p[3] = 0x10; // N_S = 0 (one spatial layer), Y = 1 (sizes follow), G = 0 (no picture group)
      p[4] = pic.width >> 8;
      p[5] = pic.width & 0xff;
      p[6] = pic.height >> 8;
      p[7] = pic.height & 0xff;
    }
    p.set(frame.subarray(o, end), head);
    out.push(p);
    o = end;
  } while (o < frame.length);
  return out;
}
