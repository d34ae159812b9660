/**
 * The fragmented MP4 initialization segment (ISO/IEC 14496-12): ftyp + moov with one trak per
 * track (empty sample tables: samples live in movie fragments) and mvex/trex.
 */
import type { Track } from "../../core/track.ts";
import { box, fourcc, fullBox, u16, u32, zeros } from "./box.ts";
import { fmp4Carries, sampleEntry } from "./sample_entry.ts";

const MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
const MOVIE_TIMESCALE = 1000;

function matrix(): Uint8Array {
  const out = new Uint8Array(36);
  const v = new DataView(out.buffer);
  MATRIX.forEach((m, i) => v.setUint32(i * 4, m));
  return out;
}

function ftyp(tracks: readonly Track[]): Uint8Array {
  const brands = ["iso5", "iso6", "mp41"];
  if (tracks.some((t) => t.codec === "av1")) brands.push("av01");
  return box("ftyp", fourcc("iso5"), u32(512), ...brands.map(fourcc));
}

function mvhd(nextTrackId: number): Uint8Array {
  return fullBox(
    "mvhd",
    0,
    0,
    u32(0), // creation_time
    u32(0), // modification_time
    u32(MOVIE_TIMESCALE),
    u32(0), // duration: unknown (fragmented)
    u32(0x00010000), // rate 1.0
    u16(0x0100), // volume 1.0
    zeros(10),
    matrix(),
    zeros(24), // pre_defined
    u32(nextTrackId),
  );
}

function tkhd(track: Track, trackId: number): Uint8Array {
  const video = track.kind === "video";
  return fullBox(
    "tkhd",
    0,
    0x000003, // track_enabled | track_in_movie
    u32(0),
    u32(0),
    u32(trackId),
    u32(0), // reserved
    u32(0), // duration
    zeros(8),
    u16(0), // layer
    u16(0), // alternate_group
    u16(video ? 0 : 0x0100), // volume
    u16(0),
    matrix(),
    u32(video ? track.width * 0x10000 : 0), // 16.16
    u32(video ? track.height * 0x10000 : 0),
  );
}

function mdhd(timescale: number): Uint8Array {
  // language "und": ISO 639-2/T packed as three 5-bit letters (each − 0x60).
  const und = (("u".charCodeAt(0) - 0x60) << 10) | (("n".charCodeAt(0) - 0x60) << 5) |
    ("d".charCodeAt(0) - 0x60);
  return fullBox("mdhd", 0, 0, u32(0), u32(0), u32(timescale), u32(0), u16(und), u16(0));
}

function hdlr(video: boolean): Uint8Array {
  const name = new TextEncoder().encode(video ? "VideoHandler\0" : "SoundHandler\0");
  return fullBox("hdlr", 0, 0, u32(0), fourcc(video ? "vide" : "soun"), zeros(12), name);
}

function stbl(track: Track, trackId: number): Uint8Array {
  return box(
    "stbl",
    fullBox("stsd", 0, 0, u32(1), sampleEntry(track, trackId)),
    fullBox("stts", 0, 0, u32(0)),
    fullBox("stsc", 0, 0, u32(0)),
    fullBox("stsz", 0, 0, u32(0), u32(0)),
    fullBox("stco", 0, 0, u32(0)),
  );
}

function trak(track: Track, trackId: number): Uint8Array {
  const video = track.kind === "video";
  const mediaHeader = video ? fullBox("vmhd", 0, 1, zeros(8)) : fullBox("smhd", 0, 0, zeros(4));
  const dinf = box("dinf", fullBox("dref", 0, 0, u32(1), fullBox("url ", 0, 1)));
  return box(
    "trak",
    tkhd(track, trackId),
    box("mdia", mdhd(track.clockRate), hdlr(video), box("minf", mediaHeader, dinf, stbl(track, trackId))),
  );
}

function trex(trackId: number): Uint8Array {
  return fullBox("trex", 0, 0, u32(trackId), u32(1), u32(0), u32(0), u32(0));
}

/**
 * ftyp + moov for `tracks`, with track IDs 1..n in order. For DASH, call it once per track
 * (`initSegment([video])`, `initSegment([audio])`): each then has track ID 1.
 * The media timescale of each track is its clock rate (90000 video, the sample rate for audio).
 */
export function initSegment(tracks: readonly Track[]): Uint8Array {
  if (tracks.length === 0) throw new RangeError("init segment needs at least one track");
  for (const t of tracks) {
    if (!fmp4Carries(t)) throw new RangeError(`codec ${t.codec} cannot be carried in fragmented MP4`);
  }
  const moov = box(
    "moov",
    mvhd(tracks.length + 1),
    ...tracks.map((t, i) => trak(t, i + 1)),
    box("mvex", ...tracks.map((_, i) => trex(i + 1))),
  );
  const head = ftyp(tracks);
  const out = new Uint8Array(head.length + moov.length);
  out.set(head);
  out.set(moov, head.length);
  return out;
}
