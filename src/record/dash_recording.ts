/**
 * DASH recording (recmode 0): `<dir>/init-v.mp4`, `<dir>/v<n>.m4s` (and the audio ones) and a
 * static MPD with a SegmentTimeline, rewritten after every segment, so it is always playable.
 */
import type { Frame } from "../core/frame.ts";
import {
  adaptationSet,
  type DashTrack,
  dashTracks,
  type Kind,
  type TimelineSegment,
  trackFragments,
  writeMpd,
} from "../formats/dash/mod.ts";
import { type OutputTracks, TimestampShift } from "../formats/segment/mod.ts";
import type { RecordedFile, RecordingFormat } from "./formats.ts";

export class DashRecording implements RecordingFormat {
  readonly ext = "mpd" as const;
  readonly #dir: string;
  readonly #tracks: DashTrack[];
  readonly #shift = new TimestampShift();
  readonly #timelines = new Map<Kind, TimelineSegment[]>();
  readonly #bytes = new Map<Kind, number>();
  #segments = 0;
  #duration = 0;
  #maxDuration = 0;

  constructor(opts: { dir: string; tracks: OutputTracks; startedAt: number }) {
    this.#dir = opts.dir;
    this.#tracks = dashTracks(opts.tracks);
    if (this.#tracks.length === 0) throw new RangeError("a DASH recording needs an audio or video track");
  }

  get duration(): number {
    return this.#duration;
  }
  get segments(): number {
    return this.#segments;
  }

  start(): RecordedFile[] {
    return this.#tracks.map((t) => ({ name: `init-${t.letter}.mp4`, bytes: t.init }));
  }

  segment(frames: readonly Frame[], duration: number): RecordedFile[] {
    const n = this.#segments++;
    const media = trackFragments(this.#tracks, frames, { shift: this.#shift, sequence: n + 1 });
    const files: RecordedFile[] = [];
    for (const st of this.#tracks) {
      const m = media.get(st.kind);
      if (!m) continue;
      // Numbered per track: $Number$ counts a track's own timeline entries, and a track may
      // have no frame in some segment.
      const tl = this.#timelines.get(st.kind) ?? [];
      files.push({ name: `${st.letter}${tl.length}.m4s`, bytes: m.bytes });
      tl.push(m.t);
      this.#timelines.set(st.kind, tl);
      this.#bytes.set(st.kind, (this.#bytes.get(st.kind) ?? 0) + m.bytes.byteLength);
    }
    this.#duration += duration;
    this.#maxDuration = Math.max(this.#maxDuration, duration);
    return files;
  }

  manifest(_ended: boolean): string {
    return writeMpd({
      type: "static",
      minBufferTime: Math.max(1, Math.ceil(this.#maxDuration)),
      maxSegmentDuration: Math.ceil(this.#maxDuration) || undefined,
      mediaPresentationDuration: this.#duration,
      adaptationSets: this.#tracks.map((st, id) => {
        const timeline = this.#timelines.get(st.kind) ?? [];
        return adaptationSet(st, {
          id,
          uriPrefix: `${this.#dir}/`,
          startNumber: 0,
          timeline,
          bytes: this.#bytes.get(st.kind) ?? 0,
          pto: timeline[0]?.t,
        });
      }),
    });
  }
}
