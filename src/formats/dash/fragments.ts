/**
 * DASH media: one fMP4 stream per track (its own init segment, track ID 1), a segment's frames split
 * by track, and the adaptation set that describes a track's timeline. Shared by the live segmenter
 * and the recorder.
 */
import type { Frame } from "../../core/frame.ts";
import type { AudioTrack, Track, VideoTrack } from "../../core/track.ts";
import { aacFrameSamples, codecString } from "../../codecs/mod.ts";
import { initSegment, mediaSegment } from "../fmp4/mod.ts";
import { type OutputTracks, shiftedFrames, type TimestampShift } from "../segment/mod.ts";
import type { MpdAdaptationSet, TimelineSegment } from "./mpd.ts";

export type Kind = "video" | "audio";

export interface DashTrack {
  kind: Kind;
  track: VideoTrack | AudioTrack;
  init: Uint8Array;
  /** "v" or "a": the letter in segment names (v12.m4s, init-v.mp4). */
  letter: string;
}

export interface TrackFragment {
  t: TimelineSegment;
  bytes: Uint8Array;
}

export function dashTracks(t: OutputTracks): DashTrack[] {
  const out: DashTrack[] = [];
  if (t.video) out.push({ kind: "video", track: t.video, init: initSegment([t.video]), letter: "v" });
  if (t.audio) out.push({ kind: "audio", track: t.audio, init: initSegment([t.audio]), letter: "a" });
  return out;
}

/** Duration of a run's last sample, as the fMP4 muxer sizes it: the previous interval, or one frame. */
function lastDuration(frames: readonly Frame[], track: Track): number {
  const n = frames.length;
  if (n >= 2) return frames[n - 1].dts - frames[n - 2].dts;
  if (track.codec === "aac") return aacFrameSamples(track);
  return track.kind === "video" ? Math.round(90000 / (track.fps || 30)) : Math.round(track.clockRate / 50);
}

/**
 * One segment's fragments, per track: moof+mdat bytes and the timeline entry. `next` is the frame
 * that starts the following segment (it sizes the primary track's last sample exactly).
 */
export function trackFragments(
  tracks: readonly DashTrack[],
  frames: readonly Frame[],
  opts: { shift: TimestampShift; sequence: number; next?: Frame },
): Map<Kind, TrackFragment> {
  const out = new Map<Kind, TrackFragment>();
  for (const st of tracks) {
    const shift = opts.shift.ticks(frames, st.track.clockRate);
    const own = shiftedFrames(frames, st.kind, shift);
    if (own.length === 0) continue;
    const nextDts = opts.next && opts.next.track.kind === st.kind ? opts.next.dts + shift : undefined;
    const end = nextDts ?? own[own.length - 1].dts + lastDuration(own, st.track);
    const bytes = mediaSegment({
      sequence: opts.sequence,
      tracks: [{ trackId: 1, track: st.track, frames: own, nextDts }],
    });
    out.set(st.kind, { t: { t: own[0].dts, d: Math.max(1, end - own[0].dts) }, bytes });
  }
  return out;
}

/**
 * Closes the small gaps and overlaps left by estimating each run's last sample duration (audio
 * timestamps jitter by a tick or so): an entry ends where the next one starts, when that is close.
 */
export function contiguous(ts: readonly TimelineSegment[]): TimelineSegment[] {
  return ts.map((x, i) => {
    const next = ts[i + 1];
    if (!next) return x;
    const d = next.t - x.t;
    return d > 0 && Math.abs(d - x.d) <= x.d / 10 ? { t: x.t, d } : x;
  });
}

/** The adaptation set of one track. `uriPrefix` leads to init-v.mp4 / v$Number$.m4s. */
export function adaptationSet(
  st: DashTrack,
  o: {
    id: number;
    uriPrefix: string;
    startNumber: number;
    timeline: readonly TimelineSegment[];
    bytes: number;
    pto?: number;
    /** Appended to the init segment's name (init-v-<version>.mp4), so a new init gets a new URL. */
    initVersion?: number;
  },
): MpdAdaptationSet {
  const tr = st.track;
  const timeline = contiguous(o.timeline);
  const ticks = timeline.reduce((a, x) => a + x.d, 0);
  const seconds = ticks / tr.clockRate || 1;
  return {
    id: o.id,
    contentType: st.kind,
    codecs: codecString(tr) ?? tr.codec,
    bandwidth: Math.max(1000, Math.round((o.bytes * 8) / seconds)),
    timescale: tr.clockRate,
    initialization: `${o.uriPrefix}init-${st.letter}${
      o.initVersion === undefined ? "" : `-${o.initVersion}`
    }.mp4`,
    media: `${o.uriPrefix}${st.letter}$Number$.m4s`,
    startNumber: o.startNumber,
    timeline,
    presentationTimeOffset: o.pto,
    ...(tr.kind === "video"
      ? { width: tr.width, height: tr.height, frameRate: tr.fps || undefined }
      : { sampleRate: tr.sampleRate, channels: tr.channels }),
  };
}
