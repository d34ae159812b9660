/**
 * The live DASH segmenter: keyframe-aligned segments, one fMP4 stream per track (separate audio and
 * video adaptation sets), kept in memory, and the dynamic MPD (SegmentTemplate + SegmentTimeline
 * with $Number$) that lists them. No timers: the HTTP layer feeds it and bounds waits.
 */
import type { Frame } from "../../core/frame.ts";
import type { AudioTrack, Track, VideoTrack } from "../../core/track.ts";
import { aacFrameSamples, codecString } from "../../codecs/mod.ts";
import { initSegment, mediaSegment } from "../fmp4/mod.ts";
import { Cut, SegmentCutter } from "../hls/cutter.ts";
import { DtsShift, framesOf } from "../hls/fmp4_writer.ts";
import type { OutputTracks } from "../hls/writer.ts";
import { type MpdAdaptationSet, type TimelineSegment, writeMpd } from "./mpd.ts";

export interface DashSegmenterOptions {
  tracks: OutputTracks;
  /** Target segment duration, ms. */
  targetMs: number;
  /** timeShiftBufferDepth, seconds (`dashduration`). */
  windowS: number;
  /** Most segments listed (`dashlivecache`); two more stay servable for late requests. */
  maxSegments: number;
  /** Prepended to segment URLs ("cam/dash/"). */
  uriPrefix: string;
  /** Number of the first segment. */
  firstNumber?: number;
  now?: () => number;
}

interface TrackState {
  kind: "video" | "audio";
  track: VideoTrack | AudioTrack;
  init: Uint8Array;
}

interface DashSegment {
  number: number;
  /** Per kind: timeline entry and bytes. */
  media: Map<"video" | "audio", { t: TimelineSegment; bytes: Uint8Array }>;
  duration: number;
}

interface Waiter {
  ready: () => boolean;
  resolve: (ok: boolean) => void;
}

/** Duration of a run's last sample, as the fMP4 muxer sizes it: the previous interval, or one frame. */
function lastDuration(frames: readonly Frame[], track: Track): number {
  const n = frames.length;
  if (n >= 2) return frames[n - 1].dts - frames[n - 2].dts;
  if (track.codec === "aac") return aacFrameSamples(track);
  return track.kind === "video" ? Math.round(90000 / (track.fps || 30)) : Math.round(track.clockRate / 50);
}

/**
 * Closes the small gaps and overlaps left by estimating each run's last sample duration (audio
 * timestamps jitter by a tick or so): an entry ends where the next one starts, when that is close.
 */
function contiguous(ts: TimelineSegment[]): TimelineSegment[] {
  return ts.map((x, i) => {
    const next = ts[i + 1];
    if (!next) return x;
    const d = next.t - x.t;
    return d > 0 && Math.abs(d - x.d) <= x.d / 10 ? { t: x.t, d } : x;
  });
}

export class DashSegmenter {
  readonly #o: DashSegmenterOptions;
  readonly #now: () => number;
  readonly #cutter: SegmentCutter;
  readonly #tracks: TrackState[] = [];
  readonly #shift = new DtsShift();
  #segments: DashSegment[] = [];
  #frames: Frame[] = [];
  #next: number;
  #anchor = Infinity;
  #maxDuration = 0;
  #ended = false;
  #waiters = new Set<Waiter>();
  readonly stats = { segments: 0, bytes: 0 };

  constructor(opts: DashSegmenterOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#next = opts.firstNumber ?? 0;
    for (const track of [opts.tracks.video, opts.tracks.audio]) {
      if (track) this.#tracks.push({ kind: track.kind, track, init: initSegment([track]) });
    }
    const primary = opts.tracks.video ? "video" : "audio";
    this.#cutter = new SegmentCutter({ targetMs: opts.targetMs, primary });
  }

  get ended(): boolean {
    return this.#ended;
  }
  get nextNumber(): number {
    return this.#next + (this.#frames.length > 0 ? 1 : 0);
  }
  get segmentCount(): number {
    return this.#segments.length;
  }

  init(kind: string): Uint8Array | undefined {
    return this.#tracks.find((t) => t.kind === kind)?.init;
  }

  segment(kind: string, n: number): Uint8Array | undefined {
    const first = this.#segments[0]?.number ?? 0;
    return this.#segments[n - first]?.media.get(kind as "video" | "audio")?.bytes;
  }

  push(frames: readonly Frame[]): void {
    if (this.#ended) return;
    for (const f of frames) {
      const cut = this.#cutter.push(f);
      if (cut === Cut.Drop) continue;
      if (f.track.kind === this.#tracks[0]?.kind) {
        const shift = this.#shift.ticks([f], f.track.clockRate);
        this.#anchor = Math.min(this.#anchor, this.#now() - ((f.dts + shift) * 1000) / f.track.clockRate);
      }
      if (cut === Cut.Segment) this.#close(f);
      this.#frames.push(f);
    }
    this.#wake();
  }

  #close(next?: Frame) {
    const frames = this.#frames;
    if (frames.length === 0) return;
    this.#frames = [];
    const media = new Map<"video" | "audio", { t: TimelineSegment; bytes: Uint8Array }>();
    let duration = 0;
    for (const st of this.#tracks) {
      const shift = this.#shift.ticks(frames, st.track.clockRate);
      const own = framesOf(frames, st.kind, shift);
      if (own.length === 0) continue;
      const nextDts = next && next.track.kind === st.kind ? next.dts + shift : undefined;
      const end = nextDts ?? own[own.length - 1].dts + lastDuration(own, st.track);
      const bytes = mediaSegment({
        sequence: this.#next + 1,
        tracks: [{ trackId: 1, track: st.track, frames: own, nextDts }],
      });
      const t = { t: own[0].dts, d: Math.max(1, end - own[0].dts) };
      media.set(st.kind, { t, bytes });
      if (st === this.#tracks[0]) duration = t.d / st.track.clockRate;
      this.stats.bytes += bytes.byteLength;
    }
    this.#segments.push({ number: this.#next++, media, duration });
    this.#maxDuration = Math.max(this.#maxDuration, duration);
    this.stats.segments++;
    this.#trim();
  }

  #trim() {
    const keep = this.#o.maxSegments + 2;
    if (this.#segments.length > keep) this.#segments.splice(0, this.#segments.length - keep);
  }

  /** The segments the MPD lists: within the time-shift window, at most maxSegments. */
  #listed(): DashSegment[] {
    const out: DashSegment[] = [];
    let depth = 0;
    for (let i = this.#segments.length - 1; i >= 0 && out.length < this.#o.maxSegments; i--) {
      const s = this.#segments[i];
      if (out.length > 0 && depth + s.duration > this.#o.windowS) break;
      depth += s.duration;
      out.unshift(s);
    }
    return out;
  }

  end(): void {
    if (this.#ended) return;
    this.#close();
    this.#ended = true;
    this.#wake();
  }

  /** The dynamic MPD (a static one once the stream has ended, so players stop at its end). */
  mpd(): string {
    const listed = this.#listed();
    const now = this.#now();
    const target = this.#o.targetMs / 1000;
    const sets: MpdAdaptationSet[] = this.#tracks.map((st, i) => {
      const tr = st.track;
      const timeline = contiguous(listed.flatMap((s) => s.media.get(st.kind)?.t ?? []));
      const seconds = listed.reduce((a, s) => a + s.duration, 0) || 1;
      const bytes = listed.reduce((a, s) => a + (s.media.get(st.kind)?.bytes.byteLength ?? 0), 0);
      const letter = st.kind === "video" ? "v" : "a";
      return {
        id: i,
        contentType: st.kind,
        codecs: codecString(tr) ?? tr.codec,
        bandwidth: Math.max(1000, Math.round((bytes * 8) / seconds)),
        timescale: tr.clockRate,
        initialization: `${this.#o.uriPrefix}init-${letter}.mp4`,
        media: `${this.#o.uriPrefix}${letter}$Number$.m4s`,
        startNumber: listed[0]?.number ?? this.#next,
        timeline,
        // A static (ended) presentation starts at its first segment.
        presentationTimeOffset: this.#ended ? timeline[0]?.t : undefined,
        ...(tr.kind === "video"
          ? { width: tr.width, height: tr.height, frameRate: tr.fps || undefined }
          : { sampleRate: tr.sampleRate, channels: tr.channels }),
      };
    });
    const ended = this.#ended;
    const total = listed.reduce((a, s) => a + s.duration, 0);
    return writeMpd({
      type: ended ? "static" : "dynamic",
      availabilityStartTime: Number.isFinite(this.#anchor) ? Math.round(this.#anchor) : now,
      publishTime: now,
      minimumUpdatePeriod: target,
      timeShiftBufferDepth: Math.max(this.#o.windowS, 2 * target),
      suggestedPresentationDelay: 3 * target,
      minBufferTime: target,
      maxSegmentDuration: Math.max(target, Math.ceil(this.#maxDuration)),
      mediaPresentationDuration: ended ? total : undefined,
      utcTiming: ended ? undefined : now,
      adaptationSets: sets,
    });
  }

  /** Resolves true when `ready()` holds, false when the stream ended first or `signal` fired. */
  wait(ready: () => boolean, signal?: AbortSignal): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (this.#ended || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w: Waiter = {
        ready,
        resolve: (ok) => {
          this.#waiters.delete(w);
          signal?.removeEventListener("abort", onAbort);
          resolve(ok);
        },
      };
      const onAbort = () => w.resolve(false);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(w);
    });
  }

  #wake() {
    for (const w of [...this.#waiters]) {
      if (w.ready()) w.resolve(true);
      else if (this.#ended) w.resolve(false);
    }
  }
}
