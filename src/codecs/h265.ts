import type { H265Track } from "../core/track.ts";
import { ProtocolError } from "../core/errors.ts";
import { BitReader, unescapeRbsp } from "./bit_reader.ts";
import { roundFps } from "./h264.ts";
import { splitAvcc } from "./nal.ts";

/** nal_unit_type values (H.265 Table 7-1) that the server cares about. */
export const H265Nal = {
  bla_w_lp: 16,
  idr_w_radl: 19,
  idr_n_lp: 20,
  cra: 21,
  vps: 32,
  sps: 33,
  pps: 34,
  aud: 35,
  eos: 36,
  prefixSei: 39,
  suffixSei: 40,
} as const;

export function h265NalType(nal: Uint8Array): number {
  return (nal[0] >> 1) & 0x3f;
}

/** general profile_tier_level fields, as carried in hvcC. */
export interface H265Ptl {
  profileSpace: number;
  tier: number;
  profile: number;
  /** general_profile_compatibility_flag[0..31], flag 0 in the most significant bit. */
  compatFlags: number;
  /** The 48 constraint indicator bits as 6 bytes. */
  constraints: Uint8Array;
  /** general_level_idc: 30 × level. */
  level: number;
}

export interface H265Sps extends H265Ptl {
  width: number;
  height: number;
  /** From VUI timing info (time_scale / num_units_in_tick); 0 when absent. */
  fps: number;
  chromaFormat: number;
  bitDepth: number;
  bitDepthChroma: number;
  maxSubLayers: number;
  temporalIdNesting: boolean;
  /** sps_max_num_reorder_pics of the highest sub-layer. */
  maxNumReorderPics: number;
}

/** Parses a sequence parameter set NAL unit (with its 2-byte NAL header). */
export function parseH265Sps(sps: Uint8Array): H265Sps {
  if (sps.length < 15 || h265NalType(sps) !== H265Nal.sps) {
    throw new ProtocolError(
      `H.265 SPS of ${sps.length} bytes with NAL type ${
        (sps[0] >> 1) & 0x3f
      } is invalid: must be type 33, at least 15 bytes`,
    );
  }
  const r = new BitReader(unescapeRbsp(sps.subarray(2)));
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.bits(3);
  const temporalIdNesting = r.flag();
  const ptl = readProfileTierLevel(r, maxSubLayersMinus1);
  r.ue(); // sps_seq_parameter_set_id
  const chromaFormat = r.ue();
  if (chromaFormat === 3) r.skip(1); // separate_colour_plane_flag
  let width = r.ue();
  let height = r.ue();
  if (r.flag()) {
    const subW = chromaFormat === 1 || chromaFormat === 2 ? 2 : 1;
    const subH = chromaFormat === 1 ? 2 : 1;
    const left = r.ue(), right = r.ue(), top = r.ue(), bottom = r.ue();
    width -= subW * (left + right);
    height -= subH * (top + bottom);
  }
  const bitDepth = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  const log2MaxPocLsb = r.ue() + 4;
  const orderingAll = r.flag();
  let maxNumReorderPics = 0;
  for (let i = orderingAll ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    r.ue(); // sps_max_dec_pic_buffering_minus1
    maxNumReorderPics = r.ue();
    r.ue(); // sps_max_latency_increase_plus1
  }
  for (let i = 0; i < 6; i++) r.ue(); // coding/transform block sizes and depths
  if (r.flag() && r.flag()) skipScalingListData(r);
  r.skip(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.flag()) { // pcm_enabled_flag
    r.skip(8);
    r.ue();
    r.ue();
    r.skip(1);
  }
  skipShortTermRefPicSets(r, r.ue());
  if (r.flag()) { // long_term_ref_pics_present_flag
    const n = r.ue();
    for (let i = 0; i < n; i++) r.skip(log2MaxPocLsb + 1);
  }
  r.skip(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  const fps = r.flag() ? vuiFps(r) : 0;
  return {
    ...ptl,
    width,
    height,
    fps,
    chromaFormat,
    bitDepth,
    bitDepthChroma,
    maxSubLayers: maxSubLayersMinus1 + 1,
    temporalIdNesting,
    maxNumReorderPics,
  };
}

/**
 * How many pictures a decoder may hold back before output (see `h264ReorderDepth`); 2 when the
 * SPS is unreadable.
 */
export function h265ReorderDepth(sps: Uint8Array): number {
  try {
    return parseH265Sps(sps).maxNumReorderPics;
  } catch {
    return 2;
  }
}

function readProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): H265Ptl {
  const profileSpace = r.bits(2);
  const tier = r.bits(1);
  const profile = r.bits(5);
  const compatFlags = r.bits(32);
  const constraints = new Uint8Array(6);
  for (let i = 0; i < 6; i++) constraints[i] = r.bits(8);
  const level = r.bits(8);
  const subProfile: boolean[] = [];
  const subLevel: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfile.push(r.flag());
    subLevel.push(r.flag());
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1));
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfile[i]) r.skip(88);
    if (subLevel[i]) r.skip(8);
  }
  return { profileSpace, tier, profile, compatFlags, constraints, level };
}

function skipScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.flag()) {
        r.ue(); // scaling_list_pred_matrix_id_delta
        continue;
      }
      const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
      if (sizeId > 1) r.se();
      for (let i = 0; i < coefNum; i++) r.se();
    }
  }
}

// st_ref_pic_set() (7.3.7); only NumDeltaPocs needs tracking to parse inter-predicted sets.
function skipShortTermRefPicSets(r: BitReader, count: number): void {
  if (count > 64) {
    throw new ProtocolError(`H.265 num_short_term_ref_pic_sets ${count} is invalid: must be 0..64`);
  }
  const numDeltaPocs: number[] = [];
  for (let idx = 0; idx < count; idx++) {
    const interPred = idx !== 0 && r.flag();
    if (interPred) {
      r.skip(1); // delta_rps_sign
      r.ue(); // abs_delta_rps_minus1
      const ref = numDeltaPocs[idx - 1];
      let n = 0;
      for (let j = 0; j <= ref; j++) {
        const used = r.flag();
        if (used || r.flag()) n++;
      }
      numDeltaPocs.push(n);
    } else {
      const neg = r.ue();
      const pos = r.ue();
      if (neg > 16 || pos > 16) {
        throw new ProtocolError(
          `H.265 short-term RPS with ${neg}+${pos} pictures is invalid: at most 16 each`,
        );
      }
      for (let i = 0; i < neg + pos; i++) {
        r.ue();
        r.skip(1);
      }
      numDeltaPocs.push(neg + pos);
    }
  }
}

// VUI up to vui_timing_info (E.2.1).
function vuiFps(r: BitReader): number {
  if (r.flag() && r.bits(8) === 255) r.skip(32);
  if (r.flag()) r.skip(1);
  if (r.flag()) {
    r.skip(4);
    if (r.flag()) r.skip(24);
  }
  if (r.flag()) {
    r.ue();
    r.ue();
  }
  r.skip(3); // neutral_chroma_indication, field_seq, frame_field_info_present
  if (r.flag()) {
    r.ue();
    r.ue();
    r.ue();
    r.ue();
  }
  if (!r.flag()) return 0;
  const unitsInTick = r.bits(32);
  const timeScale = r.bits(32);
  return unitsInTick === 0 ? 0 : roundFps(timeScale / unitsInTick);
}

export interface Hvcc extends H265Ptl {
  chromaFormat: number;
  bitDepth: number;
  bitDepthChroma: number;
  lengthSize: number;
  vps: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
}

/** Builds an HEVCDecoderConfigurationRecord (ISO 14496-15 8.3.3.1) with 4-byte NAL lengths. */
export function buildHvcc(vps: Uint8Array, sps: Uint8Array, pps: readonly Uint8Array[]): Uint8Array {
  const s = parseH265Sps(sps);
  const arrays: [number, readonly Uint8Array[]][] = [[H265Nal.vps, [vps]], [H265Nal.sps, [sps]], [
    H265Nal.pps,
    pps,
  ]];
  let size = 23;
  for (const [, list] of arrays) {
    size += 3;
    for (const n of list) size += 2 + n.length;
  }
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out[0] = 1;
  out[1] = (s.profileSpace << 6) | (s.tier << 5) | s.profile;
  v.setUint32(2, s.compatFlags);
  out.set(s.constraints, 6);
  out[12] = s.level;
  v.setUint16(13, 0xf000); // min_spatial_segmentation_idc 0
  out[15] = 0xfc; // parallelismType 0 (unknown)
  out[16] = 0xfc | s.chromaFormat;
  out[17] = 0xf8 | (s.bitDepth - 8);
  out[18] = 0xf8 | (s.bitDepthChroma - 8);
  v.setUint16(19, 0); // avgFrameRate unspecified
  out[21] = (s.maxSubLayers << 3) | (s.temporalIdNesting ? 4 : 0) | 3;
  out[22] = arrays.length;
  let o = 23;
  for (const [type, list] of arrays) {
    out[o] = 0x80 | type; // array_completeness: all parameter sets are out of band
    v.setUint16(o + 1, list.length);
    o += 3;
    for (const n of list) {
      v.setUint16(o, n.length);
      out.set(n, o + 2);
      o += 2 + n.length;
    }
  }
  return out;
}

/** Parses an HEVCDecoderConfigurationRecord; parameter sets are views into `hvcc`. */
export function parseHvcc(hvcc: Uint8Array): Hvcc {
  const bad = (why: string) => new ProtocolError(`hvcC of ${hvcc.length} bytes is invalid: ${why}`);
  if (hvcc.length < 23) throw bad("must be at least 23 bytes");
  if (hvcc[0] !== 1) throw bad(`configurationVersion ${hvcc[0]} must be 1`);
  const v = new DataView(hvcc.buffer, hvcc.byteOffset, hvcc.byteLength);
  const result: Hvcc = {
    profileSpace: hvcc[1] >> 6,
    tier: (hvcc[1] >> 5) & 1,
    profile: hvcc[1] & 0x1f,
    compatFlags: v.getUint32(2),
    constraints: hvcc.subarray(6, 12),
    level: hvcc[12],
    chromaFormat: hvcc[16] & 3,
    bitDepth: (hvcc[17] & 7) + 8,
    bitDepthChroma: (hvcc[18] & 7) + 8,
    lengthSize: (hvcc[21] & 3) + 1,
    vps: [],
    sps: [],
    pps: [],
  };
  let o = 23;
  for (let a = 0; a < hvcc[22]; a++) {
    if (o + 3 > hvcc.length) throw bad(`array ${a} header runs past the end`);
    const type = hvcc[o] & 0x3f;
    const count = v.getUint16(o + 1);
    o += 3;
    for (let i = 0; i < count; i++) {
      if (o + 2 > hvcc.length) throw bad(`NAL unit ${i} of array ${a} runs past the end`);
      const len = v.getUint16(o);
      if (o + 2 + len > hvcc.length) throw bad(`NAL unit length ${len} runs past the end`);
      const nal = hvcc.subarray(o + 2, o + 2 + len);
      o += 2 + len;
      if (type === H265Nal.vps) result.vps.push(nal);
      else if (type === H265Nal.sps) result.sps.push(nal);
      else if (type === H265Nal.pps) result.pps.push(nal);
    }
  }
  return result;
}

/** Builds an immutable H265Track (with its hvcC) from VPS, SPS and PPSs (NAL units with headers). */
export function h265Track(vps: Uint8Array, sps: Uint8Array, pps: readonly Uint8Array[]): H265Track {
  const info = parseH265Sps(sps);
  return {
    kind: "video",
    codec: "h265",
    clockRate: 90000,
    width: info.width,
    height: info.height,
    fps: info.fps,
    vps,
    sps,
    pps: [...pps],
    profile: info.profile,
    level: info.level,
    hvcc: buildHvcc(vps, sps, pps),
  };
}

/** Builds an H265Track from hvcC bytes; keeps the given hvcC bytes as the track's record. */
export function h265TrackFromHvcc(hvcc: Uint8Array): H265Track {
  const c = parseHvcc(hvcc);
  if (c.vps.length === 0 || c.sps.length === 0) {
    throw new ProtocolError(
      `hvcC is invalid: it carries ${c.vps.length} VPS and ${c.sps.length} SPS, needs both`,
    );
  }
  return { ...h265Track(c.vps[0], c.sps[0], c.pps), hvcc };
}

/** True when length-prefixed access unit data holds an IRAP picture (NAL types 16..23). */
export function isH265Keyframe(avccData: Uint8Array): boolean {
  for (const nal of splitAvcc(avccData)) {
    if (nal.length === 0) continue;
    const t = h265NalType(nal);
    if (t >= 16 && t <= 23) return true;
  }
  return false;
}

/** RFC 6381 / ISO 14496-15 Annex E codecs string, e.g. `hvc1.1.6.L93.B0`. */
export function h265CodecString(t: { hvcc: Uint8Array }): string {
  const c = parseHvcc(t.hvcc);
  let reversed = 0;
  for (let i = 0; i < 32; i++) if (c.compatFlags & (1 << i)) reversed |= 1 << (31 - i);
  const space = ["", "A", "B", "C"][c.profileSpace];
  const parts = [
    "hvc1",
    `${space}${c.profile}`,
    (reversed >>> 0).toString(16).toUpperCase(),
    `${c.tier ? "H" : "L"}${c.level}`,
  ];
  let last = c.constraints.length;
  while (last > 0 && c.constraints[last - 1] === 0) last--;
  for (let i = 0; i < last; i++) parts.push(c.constraints[i].toString(16).toUpperCase().padStart(2, "0"));
  return parts.join(".");
}
