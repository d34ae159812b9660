/**
 * How many frames a decoder may hold back before display (max_num_reorder_frames /
 * sps_max_num_reorder_pics). RTP carries only presentation times; the ingest needs this depth to
 * derive decode times for streams with B-frames.
 */
import { BitReader, unescapeRbsp } from "../../codecs/bit_reader.ts";

/** Used when an H.264 SPS allows reordering but does not say how much. */
const H264_DEFAULT_DEPTH = 2;
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

export function h264ReorderDepth(sps: Uint8Array): number {
  try {
    return readH264(new BitReader(unescapeRbsp(sps.subarray(1))));
  } catch {
    return H264_DEFAULT_DEPTH;
  }
}

function readH264(r: BitReader): number {
  const profile = r.bits(8);
  r.skip(16); // constraint flags, level_idc
  r.ue();
  if (HIGH_PROFILES.has(profile)) {
    const chroma = r.ue();
    if (chroma === 3) r.skip(1);
    r.ue();
    r.ue();
    r.skip(1);
    if (r.flag()) {
      for (let i = 0; i < (chroma !== 3 ? 8 : 12); i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 2) return 0; // output order equals decode order
  if (pocType === 0) r.ue();
  else {
    r.skip(1);
    r.se();
    r.se();
    const n = r.ue();
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue();
  r.skip(1);
  r.ue();
  r.ue();
  if (!r.flag()) r.skip(1); // frame_mbs_only_flag, mb_adaptive_frame_field_flag
  r.skip(1);
  if (r.flag()) { for (let i = 0; i < 4; i++) r.ue(); }
  if (profile === 66) return 0; // baseline has no B slices
  if (!r.flag()) return H264_DEFAULT_DEPTH; // no VUI
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
  if (r.flag()) r.skip(65);
  const nalHrd = r.flag();
  if (nalHrd) skipHrd(r);
  const vclHrd = r.flag();
  if (vclHrd) skipHrd(r);
  if (nalHrd || vclHrd) r.skip(1);
  r.skip(1); // pic_struct_present_flag
  if (!r.flag()) return H264_DEFAULT_DEPTH;
  r.skip(1);
  for (let i = 0; i < 4; i++) r.ue();
  return r.ue(); // max_num_reorder_frames
}

function skipHrd(r: BitReader): void {
  const count = r.ue() + 1;
  r.skip(8);
  for (let i = 0; i < count; i++) {
    r.ue();
    r.ue();
    r.skip(1);
  }
  r.skip(20);
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8, next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

export function h265ReorderDepth(sps: Uint8Array): number {
  try {
    const r = new BitReader(unescapeRbsp(sps.subarray(2)));
    r.skip(4);
    const maxSub = r.bits(3);
    r.skip(1);
    // profile_tier_level(1, maxSub)
    r.skip(88);
    r.skip(8);
    const subProfile: boolean[] = [], subLevel: boolean[] = [];
    for (let i = 0; i < maxSub; i++) {
      subProfile.push(r.flag());
      subLevel.push(r.flag());
    }
    if (maxSub > 0) r.skip(2 * (8 - maxSub));
    for (let i = 0; i < maxSub; i++) {
      if (subProfile[i]) r.skip(88);
      if (subLevel[i]) r.skip(8);
    }
    r.ue();
    const chroma = r.ue();
    if (chroma === 3) r.skip(1);
    r.ue();
    r.ue();
    if (r.flag()) { for (let i = 0; i < 4; i++) r.ue(); }
    r.ue();
    r.ue();
    r.ue();
    const all = r.flag();
    let depth = 0;
    for (let i = all ? 0 : maxSub; i <= maxSub; i++) {
      r.ue();
      depth = r.ue();
      r.ue();
    }
    return depth;
  } catch {
    return 2;
  }
}
