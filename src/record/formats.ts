/**
 * What a recording writes: the files of each completed segment and the manifest that lists them.
 * HLS (recmode 1: TS, or fMP4 when the codecs need it) and DASH (recmode 0: fMP4 per track, a
 * static MPD). Manifests are valid after every segment, so a crash loses at most the open segment.
 */
import type { Frame } from "../core/frame.ts";
import {
  createFmp4Writer,
  needsFmp4,
  type PlaylistSegment,
  type SegmentWriter,
  TsSegmentWriter,
  writeMediaPlaylist,
} from "../formats/hls/mod.ts";
import type { OutputTracks } from "../formats/segment/mod.ts";

export interface RecordedFile {
  /** Relative to the recording's segment folder. */
  name: string;
  bytes: Uint8Array;
}

export interface RecordingFormat {
  /** Manifest extension: "m3u8" or "mpd". */
  readonly ext: "m3u8" | "mpd";
  /** Files to write before the first segment (init segments). */
  start(): RecordedFile[];
  /** The files of one complete segment (frames in decode order; duration in seconds). */
  segment(frames: readonly Frame[], duration: number, discontinuity: boolean): RecordedFile[];
  /** The manifest listing every segment so far; `ended` closes it. */
  manifest(ended: boolean): string;
  readonly duration: number;
  readonly segments: number;
}

/** HLS recording: `<dir>/<n>.ts` (or init.mp4 + `<n>.m4s`) and an EVENT playlist. */
export class HlsRecording implements RecordingFormat {
  readonly ext = "m3u8" as const;
  readonly #dir: string;
  readonly #writer: SegmentWriter;
  readonly #targetMs: number;
  readonly #startedAt: number;
  #list: PlaylistSegment[] = [];
  #duration = 0;

  /** `dir` is the segment folder's name, relative to the playlist. */
  constructor(opts: { dir: string; tracks: OutputTracks; targetMs: number; startedAt: number }) {
    this.#dir = opts.dir;
    this.#writer = needsFmp4(opts.tracks) ? createFmp4Writer(opts.tracks) : new TsSegmentWriter(opts.tracks);
    this.#targetMs = opts.targetMs;
    this.#startedAt = opts.startedAt;
  }

  get duration(): number {
    return this.#duration;
  }
  get segments(): number {
    return this.#list.length;
  }

  start(): RecordedFile[] {
    const init = this.#writer.init();
    return init ? [{ name: "init.mp4", bytes: init }] : [];
  }

  segment(frames: readonly Frame[], duration: number, discontinuity: boolean): RecordedFile[] {
    const n = this.#list.length;
    const name = `${n}.${this.#writer.ext}`;
    const bytes = this.#writer.write(frames, { segmentStart: true });
    this.#list.push({
      uri: `${this.#dir}/${name}`,
      duration,
      discontinuity: discontinuity || undefined,
      programDateTime: n === 0 ? this.#startedAt : undefined,
    });
    this.#duration += duration;
    return [{ name, bytes }];
  }

  manifest(ended: boolean): string {
    let max = this.#targetMs / 1000;
    for (const s of this.#list) max = Math.max(max, Math.round(s.duration));
    return writeMediaPlaylist({
      targetDuration: max,
      mediaSequence: 0,
      playlistType: ended ? "VOD" : "EVENT",
      map: this.#writer.ext === "m4s" ? `${this.#dir}/init.mp4` : undefined,
      segments: this.#list,
      endList: ended,
    });
  }
}
