import type { Vp9Track } from "../core/track.ts";
import { ProtocolError } from "../core/errors.ts";
import { BitReader } from "./bit_reader.ts";

export interface Vp9FrameInfo {
  key: boolean;
  profile: number;
  /** Only known for key frames (0 otherwise). */
  width: number;
  height: number;
  bitDepth: number;
}

/** Reads the start of a VP9 uncompressed header (VP9 spec 6.2): frame type, and size on key frames. */
export function parseVp9Frame(frame: Uint8Array): Vp9FrameInfo {
  if (frame.length < 1) throw new ProtocolError("VP9 frame of 0 bytes is invalid");
  const r = new BitReader(frame);
  const marker = r.bits(2);
  if (marker !== 2) throw new ProtocolError(`VP9 frame_marker ${marker} is invalid: must be 2`);
  const low = r.bit();
  const profile = (r.bit() << 1) | low;
  if (profile === 3) r.skip(1);
  const info: Vp9FrameInfo = { key: false, profile, width: 0, height: 0, bitDepth: 8 };
  if (r.flag()) return info; // show_existing_frame
  info.key = r.bit() === 0;
  if (!info.key) return info;
  r.skip(2); // show_frame, error_resilient_mode
  const sync = r.bits(24);
  if (sync !== 0x498342) {
    throw new ProtocolError(`VP9 frame_sync_code 0x${sync.toString(16)} is invalid: must be 0x498342`);
  }
  if (profile >= 2) info.bitDepth = r.flag() ? 12 : 10;
  const colorSpace = r.bits(3);
  if (colorSpace !== 7) { // not CS_RGB
    r.skip(1);
    if (profile === 1 || profile === 3) r.skip(3);
  } else if (profile === 1 || profile === 3) r.skip(1);
  info.width = r.bits(16) + 1;
  info.height = r.bits(16) + 1;
  return info;
}

/**
 * Builds a vpcC payload: FullBox version 1 and flags, then the VPCodecConfigurationRecord
 * (the form ffmpeg puts in E-RTMP/FLV sequence starts).
 */
export function buildVpcc(o: { profile: number; level?: number; bitDepth?: number }): Uint8Array {
  // chroma 4:2:0 colocated (1), limited range, BT.709 primaries/transfer/matrix, no init data.
  return new Uint8Array([
    1,
    0,
    0,
    0,
    o.profile,
    o.level ?? 0,
    ((o.bitDepth ?? 8) << 4) | (1 << 1),
    1,
    1,
    1,
    0,
    0,
  ]);
}

/** Reads profile and bit depth from a vpcC payload, with or without its FullBox version/flags. */
export function parseVpcc(vpcc: Uint8Array): { profile: number; level: number; bitDepth: number } {
  const o = vpcc.length >= 12 && vpcc[0] === 1 && vpcc[1] === 0 && vpcc[2] === 0 && vpcc[3] === 0 ? 4 : 0;
  if (vpcc.length < o + 8) {
    throw new ProtocolError(`vpcC of ${vpcc.length} bytes is invalid: the record needs at least 8 bytes`);
  }
  return { profile: vpcc[o], level: vpcc[o + 1], bitDepth: vpcc[o + 2] >> 4 };
}

/** Builds an immutable Vp9Track. */
export function vp9Track(width: number, height: number, config?: Uint8Array): Vp9Track {
  return { kind: "video", codec: "vp9", clockRate: 90000, width, height, fps: 0, config };
}
