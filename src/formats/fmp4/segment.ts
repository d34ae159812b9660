/**
 * A fragmented MP4 media segment: moof (mfhd; per track a traf with tfhd, tfdt, trun) + one mdat.
 * Sizes are computed first, the segment is allocated once, and each sample is copied once.
 */
import type { Track } from "../../core/track.ts";
import type { Frame } from "../../core/frame.ts";
import { aacFrameSamples, opusPacketSamples } from "../../codecs/mod.ts";
import { writeBoxHeader } from "./box.ts";

export interface SegmentTrack {
  /** The track's ID in the init segment (1..n in `initSegment` order). */
  readonly trackId: number;
  readonly track: Track;
  /** Frames in decode order, dts/pts in the track clock (the init segment's timescale). */
  readonly frames: readonly Frame[];
  /** The dts following the last frame (the next segment's first), to size the last sample. */
  readonly nextDts?: number;
}

export interface MediaSegmentInit {
  /** mfhd sequence_number: 1, 2, … per track set. */
  readonly sequence: number;
  readonly tracks: readonly SegmentTrack[];
}

const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
const TFHD_DEFAULT_SAMPLE_FLAGS = 0x000020;
const TRUN_DATA_OFFSET = 0x000001;
const TRUN_DURATION = 0x000100;
const TRUN_SIZE = 0x000200;
const TRUN_FLAGS = 0x000400;
const TRUN_CTS = 0x000800;

/** sample_depends_on = 2 (an I-frame), is_non_sync_sample = 0. */
export const SAMPLE_FLAGS_SYNC = 0x02000000;
/** sample_depends_on = 1, is_non_sync_sample = 1. */
export const SAMPLE_FLAGS_NON_SYNC = 0x01010000;

/** Duration of a lone last sample when neither a next dts nor a previous duration is known. */
function defaultDuration(track: Track, frame: Frame): number {
  switch (track.codec) {
    case "aac":
      return aacFrameSamples(track);
    case "opus":
      try {
        return opusPacketSamples(frame.data);
      } catch {
        return 960;
      }
    case "mp3":
      return 1152;
    default:
      return track.kind === "video" ? Math.round(90000 / (track.fps || 30)) : 1024;
  }
}

interface Layout {
  readonly t: SegmentTrack;
  readonly video: boolean;
  readonly trafSize: number;
  readonly dataSize: number;
}

/** moof + mdat for the given frames; tracks with no frames are left out. */
export function mediaSegment(init: MediaSegmentInit): Uint8Array {
  const layouts: Layout[] = [];
  let moofSize = 8 + 16; // moof header + mfhd
  let dataSize = 0;
  for (const t of init.tracks) {
    if (t.frames.length === 0) continue;
    if (t.frames[0].dts < 0) {
      throw new RangeError(
        `segment dts ${t.frames[0].dts} of track ${t.trackId} is invalid: tfdt must be >= 0`,
      );
    }
    const video = t.track.kind === "video";
    const tfhd = 16 + (video ? 0 : 4);
    const trun = 20 + t.frames.length * (video ? 16 : 8);
    const trafSize = 8 + tfhd + 20 + trun;
    let size = 0;
    for (const f of t.frames) size += f.data.length;
    layouts.push({ t, video, trafSize, dataSize: size });
    moofSize += trafSize;
    dataSize += size;
  }
  if (layouts.length === 0) throw new RangeError("media segment needs at least one frame");
  if (8 + dataSize > 0xffffffff) throw new RangeError(`mdat of ${dataSize} bytes is too large: max 4 GiB`);

  const out = new Uint8Array(moofSize + 8 + dataSize);
  const v = new DataView(out.buffer);
  let o = writeBoxHeader(out, 0, moofSize, "moof");
  o = writeBoxHeader(out, o, 16, "mfhd");
  v.setUint32(o, 0);
  v.setUint32(o + 4, init.sequence);
  o += 8;

  let dataOffset = moofSize + 8;
  let d = dataOffset; // where the next sample is copied
  for (const { t, video, trafSize, dataSize: size } of layouts) {
    const frames = t.frames;
    o = writeBoxHeader(out, o, trafSize, "traf");
    // tfhd
    o = writeBoxHeader(out, o, video ? 16 : 20, "tfhd");
    v.setUint32(o, TFHD_DEFAULT_BASE_IS_MOOF | (video ? 0 : TFHD_DEFAULT_SAMPLE_FLAGS));
    v.setUint32(o + 4, t.trackId);
    o += 8;
    if (!video) {
      v.setUint32(o, SAMPLE_FLAGS_SYNC);
      o += 4;
    }
    // tfdt, version 1: 64-bit baseMediaDecodeTime
    o = writeBoxHeader(out, o, 20, "tfdt");
    v.setUint32(o, 0x01000000);
    v.setBigUint64(o + 4, BigInt(frames[0].dts));
    o += 12;
    // trun: version 1 (signed composition offsets) for video
    o = writeBoxHeader(out, o, 20 + frames.length * (video ? 16 : 8), "trun");
    const flags = TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | (video ? TRUN_FLAGS | TRUN_CTS : 0);
    v.setUint32(o, (video ? 0x01000000 : 0) | flags);
    v.setUint32(o + 4, frames.length);
    v.setInt32(o + 8, dataOffset);
    o += 12;
    let last = -1;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      const next = i + 1 < frames.length ? frames[i + 1].dts : t.nextDts;
      const duration = next !== undefined
        ? Math.max(0, next - f.dts)
        : last >= 0
        ? last
        : defaultDuration(t.track, f);
      last = duration;
      v.setUint32(o, duration);
      v.setUint32(o + 4, f.data.length);
      o += 8;
      if (video) {
        v.setUint32(o, f.key ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC);
        v.setInt32(o + 4, f.pts - f.dts);
        o += 8;
      }
      out.set(f.data, d);
      d += f.data.length;
    }
    dataOffset += size;
  }
  writeBoxHeader(out, o, 8 + dataSize, "mdat");
  return out;
}
