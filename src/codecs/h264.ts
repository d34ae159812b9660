import type { H264Track } from "../core/track.ts";
import { ProtocolError } from "../core/errors.ts";
import { BitReader, unescapeRbsp } from "./bit_reader.ts";
import { splitAvcc } from "./nal.ts";

/** nal_unit_type values (H.264 Table 7-1) that the server cares about. */
export const H264Nal = {
  slice: 1,
  idr: 5,
  sei: 6,
  sps: 7,
  pps: 8,
  aud: 9,
  endOfSequence: 10,
  filler: 12,
} as const;

export function h264NalType(nal: Uint8Array): number {
  return nal[0] & 0x1f;
}

export interface H264Sps {
  profile: number;
  compat: number;
  level: number;
  width: number;
  height: number;
  /** From VUI timing_info (time_scale / 2·num_units_in_tick); 0 when absent. */
  fps: number;
  chromaFormat: number;
  bitDepth: number;
  bitDepthChroma: number;
  /** pic_order_cnt_type: 2 means output order is decode order. */
  pocType: number;
  /** VUI bitstream_restriction max_num_reorder_frames; undefined when the SPS does not say. */
  maxNumReorderFrames?: number;
}

// Profiles whose SPS carries chroma_format_idc and bit depths (7.3.2.1.1).
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Parses a sequence parameter set NAL unit (with its 1-byte NAL header). */
export function parseH264Sps(sps: Uint8Array): H264Sps {
  if (sps.length < 4 || h264NalType(sps) !== H264Nal.sps) {
    throw new ProtocolError(
      `H.264 SPS of ${sps.length} bytes with NAL type ${
        sps[0] & 0x1f
      } is invalid: must be type 7, at least 4 bytes`,
    );
  }
  const r = new BitReader(unescapeRbsp(sps.subarray(1)));
  const profile = r.bits(8);
  const compat = r.bits(8);
  const level = r.bits(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let separateColourPlane = false;
  let bitDepth = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = r.ue();
    if (chromaFormat === 3) separateColourPlane = r.flag();
    bitDepth = r.ue() + 8;
    bitDepthChroma = r.ue() + 8;
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      const lists = chromaFormat !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) {
    r.ue();
  } else if (pocType === 1) {
    r.skip(1);
    r.se();
    r.se();
    const n = r.ue();
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.bit();
  if (!frameMbsOnly) r.skip(1);
  r.skip(1); // direct_8x8_inference_flag
  let width = widthMbs * 16;
  let height = (2 - frameMbsOnly) * heightMapUnits * 16;
  if (r.flag()) {
    const chromaArrayType = separateColourPlane ? 0 : chromaFormat;
    const cropX = chromaArrayType === 0 ? 1 : chromaArrayType === 3 ? 1 : 2;
    const cropY = (chromaArrayType === 0 ? 1 : chromaArrayType === 1 ? 2 : 1) * (2 - frameMbsOnly);
    const left = r.ue(), right = r.ue(), top = r.ue(), bottom = r.ue();
    width -= cropX * (left + right);
    height -= cropY * (top + bottom);
  }
  const vui = r.flag() ? readVui(r) : undefined;
  return {
    profile,
    compat,
    level,
    width,
    height,
    fps: vui?.fps ?? 0,
    chromaFormat,
    bitDepth,
    bitDepthChroma,
    pocType,
    maxNumReorderFrames: vui?.maxNumReorderFrames,
  };
}

/** Used when an SPS allows reordering but does not say how much (x264's B-pyramid depth). */
const DEFAULT_REORDER_DEPTH = 2;

/**
 * How many frames a decoder may hold back before output. A receiver that has presentation times
 * only (RTP) needs it to derive decode times. 0 where the SPS rules reordering out (POC type 2,
 * Baseline has no B slices); otherwise max_num_reorder_frames, or a default when the SPS is silent
 * or unreadable (a wrong guess costs latency, not playback).
 */
export function h264ReorderDepth(sps: Uint8Array): number {
  try {
    const info = parseH264Sps(sps);
    if (info.pocType === 2 || info.profile === 66) return 0;
    return info.maxNumReorderFrames ?? DEFAULT_REORDER_DEPTH;
  } catch {
    return DEFAULT_REORDER_DEPTH;
  }
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

interface Vui {
  fps: number;
  maxNumReorderFrames?: number;
}

// vui_parameters() (E.1.1): the frame rate from timing_info, the reorder depth from the end.
function readVui(r: BitReader): Vui {
  if (r.flag() && r.bits(8) === 255) r.skip(32); // aspect_ratio_info, Extended_SAR
  if (r.flag()) r.skip(1); // overscan
  if (r.flag()) {
    r.skip(4); // video_format, video_full_range_flag
    if (r.flag()) r.skip(24);
  }
  if (r.flag()) {
    r.ue();
    r.ue();
  }
  let fps = 0;
  if (r.flag()) {
    const unitsInTick = r.bits(32);
    const timeScale = r.bits(32);
    r.skip(1); // fixed_frame_rate_flag
    if (unitsInTick !== 0) fps = roundFps(timeScale / (2 * unitsInTick));
  }
  return { fps, maxNumReorderFrames: readReorderFrames(r) };
}

// The rest of the VUI matters for reordering only: a truncated or odd one must not cost the
// track its size and frame rate, so a read error here means "not said".
function readReorderFrames(r: BitReader): number | undefined {
  try {
    const nalHrd = r.flag();
    if (nalHrd) skipHrd(r);
    const vclHrd = r.flag();
    if (vclHrd) skipHrd(r);
    if (nalHrd || vclHrd) r.skip(1); // low_delay_hrd_flag
    r.skip(1); // pic_struct_present_flag
    if (!r.flag()) return undefined; // bitstream_restriction_flag
    r.skip(1); // motion_vectors_over_pic_boundaries_flag
    for (let i = 0; i < 4; i++) r.ue(); // max bytes/bits denominators, log2 max mv lengths
    return r.ue();
  } catch {
    return undefined;
  }
}

// hrd_parameters() (E.1.2).
function skipHrd(r: BitReader): void {
  const count = r.ue() + 1;
  r.skip(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < count; i++) {
    r.ue();
    r.ue();
    r.skip(1);
  }
  r.skip(20); // four 5-bit delay and length fields
}

/** Keeps 29.97-style rates readable without float noise. */
export function roundFps(fps: number): number {
  return Math.round(fps * 1000) / 1000;
}

export interface Avcc {
  profile: number;
  compat: number;
  level: number;
  /** NAL length prefix size in bytes (1, 2 or 4). */
  lengthSize: number;
  sps: Uint8Array[];
  pps: Uint8Array[];
}

/** Builds an AVCDecoderConfigurationRecord (ISO 14496-15 5.3.3.1) with 4-byte NAL lengths. */
export function buildAvcc(sps: Uint8Array, pps: readonly Uint8Array[]): Uint8Array {
  const info = parseH264Sps(sps);
  const ext = info.profile === 100 || info.profile === 110 || info.profile === 122 || info.profile === 144;
  let size = 6 + 2 + sps.length + 1 + (ext ? 4 : 0);
  for (const p of pps) size += 2 + p.length;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set([1, sps[1], sps[2], sps[3], 0xff, 0xe1]);
  v.setUint16(6, sps.length);
  out.set(sps, 8);
  let o = 8 + sps.length;
  out[o++] = pps.length;
  for (const p of pps) {
    v.setUint16(o, p.length);
    out.set(p, o + 2);
    o += 2 + p.length;
  }
  if (ext) {
    out.set([0xfc | info.chromaFormat, 0xf8 | (info.bitDepth - 8), 0xf8 | (info.bitDepthChroma - 8), 0], o);
  }
  return out;
}

/** Parses an AVCDecoderConfigurationRecord; parameter sets are views into `avcc`. */
export function parseAvcc(avcc: Uint8Array): Avcc {
  const bad = (why: string) => new ProtocolError(`avcC of ${avcc.length} bytes is invalid: ${why}`);
  if (avcc.length < 7) throw bad("must be at least 7 bytes");
  if (avcc[0] !== 1) throw bad(`configurationVersion ${avcc[0]} must be 1`);
  const lengthSize = (avcc[4] & 3) + 1;
  if (lengthSize === 3) throw bad("lengthSizeMinusOne 2 is not allowed");
  let o = 5;
  const read = (count: number): Uint8Array[] => {
    const list: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      if (o + 2 > avcc.length) throw bad(`parameter set ${i} length runs past the end`);
      const len = (avcc[o] << 8) | avcc[o + 1];
      if (o + 2 + len > avcc.length) throw bad(`parameter set length ${len} runs past the end`);
      list.push(avcc.subarray(o + 2, o + 2 + len));
      o += 2 + len;
    }
    return list;
  };
  const sps = read(avcc[o++] & 0x1f);
  if (o >= avcc.length) throw bad("numOfPictureParameterSets is missing");
  const pps = read(avcc[o++]);
  return { profile: avcc[1], compat: avcc[2], level: avcc[3], lengthSize, sps, pps };
}

/** Builds an immutable H264Track from one SPS and its PPSs (NAL units with headers). */
export function h264Track(sps: Uint8Array, pps: readonly Uint8Array[]): H264Track {
  const info = parseH264Sps(sps);
  return {
    kind: "video",
    codec: "h264",
    clockRate: 90000,
    width: info.width,
    height: info.height,
    fps: info.fps,
    sps,
    pps: [...pps],
    profile: info.profile,
    compat: info.compat,
    level: info.level,
  };
}

/** Builds an H264Track from avcC bytes (the first SPS; every PPS). */
export function h264TrackFromAvcc(avcc: Uint8Array): H264Track {
  const c = parseAvcc(avcc);
  if (c.sps.length === 0) throw new ProtocolError("avcC is invalid: it carries no SPS");
  return h264Track(c.sps[0], c.pps);
}

/** True when length-prefixed access unit data holds an IDR slice. */
export function isH264Keyframe(avccData: Uint8Array): boolean {
  for (const nal of splitAvcc(avccData)) {
    if (nal.length > 0 && h264NalType(nal) === H264Nal.idr) return true;
  }
  return false;
}

/**
 * True when length-prefixed access unit data is a B picture: it has coded slices and every one is a
 * non-IDR slice with slice_type B (slice_type % 5 === 1, ITU-T H.264 7.4.3), read from the first
 * bytes of each slice header (unescaped: emulation prevention may sit there in theory).
 */
export function isH264BFrame(avccData: Uint8Array): boolean {
  let slices = 0;
  for (const nal of splitAvcc(avccData)) {
    if (nal.length < 2) continue;
    const type = h264NalType(nal);
    if (type === H264Nal.idr) return false;
    if (type !== H264Nal.slice) continue;
    slices++;
    try {
      const r = new BitReader(unescapeRbsp(nal.subarray(1, Math.min(nal.length, 16))));
      r.ue(); // first_mb_in_slice
      if (r.ue() % 5 !== 1) return false;
    } catch {
      return false;
    }
  }
  return slices > 0;
}

/** RFC 6381 codecs string, `avc1.PPCCLL`. */
export function h264CodecString(t: { profile: number; compat: number; level: number }): string {
  return "avc1." + [t.profile, t.compat, t.level].map((b) => b.toString(16).padStart(2, "0")).join("");
}
