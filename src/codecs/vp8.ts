import type { Vp8Track } from "../core/track.ts";
import { ProtocolError } from "../core/errors.ts";

/** Reads a VP8 frame tag (RFC 6386 §9.1): key flag, and size on key frames (0 otherwise). */
export function parseVp8Frame(frame: Uint8Array): { key: boolean; width: number; height: number } {
  if (frame.length < 3) {
    throw new ProtocolError(`VP8 frame of ${frame.length} bytes is invalid: needs a 3-byte tag`);
  }
  const key = (frame[0] & 1) === 0;
  if (!key) return { key, width: 0, height: 0 };
  if (frame.length < 10 || frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) {
    throw new ProtocolError("VP8 key frame is invalid: must carry start code 9d 01 2a and a 4-byte size");
  }
  return { key, width: (frame[6] | (frame[7] << 8)) & 0x3fff, height: (frame[8] | (frame[9] << 8)) & 0x3fff };
}

/** Builds an immutable Vp8Track. */
export function vp8Track(width: number, height: number): Vp8Track {
  return { kind: "video", codec: "vp8", clockRate: 90000, width, height, fps: 0 };
}
