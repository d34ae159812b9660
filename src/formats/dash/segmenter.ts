/**
 * The live DASH segmenter: keyframe-aligned segments, one fMP4 stream per track (separate audio and
 * video adaptation sets), kept in memory, and the dynamic MPD (SegmentTemplate + SegmentTimeline
 * with $Number$) that lists them. No timers: the HTTP layer feeds it and bounds waits.
 */
import type { Frame } from "../../core/frame.ts";
import {
  Cut,
  type OutputTracks,
  primaryKind,
  SegmentCutter,
  TimestampShift,
  type Waitable,
  Waiters,
} from "../segment/mod.ts";
import { writeMpd } from "./mpd.ts";
import {
  adaptationSet,
  type DashTrack,
  dashTracks,
  type Kind,
  type TrackFragment,
  trackFragments,
} from "./fragments.ts";

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

interface DashSegment {
  /** Per kind: timeline entry, bytes, and the track's own segment number. */
  media: Map<Kind, TrackFragment & { n: number }>;
  duration: number;
}

export class DashSegmenter implements Waitable {
  readonly #o: DashSegmenterOptions;
  readonly #now: () => number;
  readonly #cutter: SegmentCutter;
  readonly #tracks: DashTrack[];
  readonly #shift = new TimestampShift();
  #segments: DashSegment[] = [];
  #frames: Frame[] = [];
  #next: number;
  readonly #first: number;
  /** Per-track numbers: a track with no frame in a segment does not use one up. */
  #numbers = new Map<Kind, number>();
  #anchor = Infinity;
  #maxDuration = 0;
  #ended = false;
  readonly #waiters = new Waiters();
  readonly stats = { segments: 0, bytes: 0 };

  constructor(opts: DashSegmenterOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#next = this.#first = opts.firstNumber ?? 0;
    this.#tracks = dashTracks(opts.tracks);
    this.#cutter = new SegmentCutter({ targetMs: opts.targetMs, primary: primaryKind(opts.tracks) });
  }

  get ended(): boolean {
    return this.#ended;
  }
  get nextNumber(): number {
    return Math.max(this.#next, ...this.#numbers.values()) + (this.#frames.length > 0 ? 1 : 0);
  }
  get segmentCount(): number {
    return this.#segments.length;
  }

  get tracks(): OutputTracks {
    return this.#o.tracks;
  }

  /** The init segment of a kind, by the version in its name (the first segment number). */
  init(kind: string, version = this.#first): Uint8Array | undefined {
    return version === this.#first ? this.#tracks.find((t) => t.kind === kind)?.init : undefined;
  }

  /**
   * Whether segment `n` of `kind` is the one being cut now or the one after: a player (or a CDN edge
   * for many players) that asks for it just early is answered when it is complete, not with a 404.
   */
  isUpcoming(kind: string, n: number): boolean {
    if (this.#ended || !this.#tracks.some((t) => t.kind === kind)) return false;
    const next = this.#numbers.get(kind as Kind) ?? this.#next;
    return n >= next && n <= next + 1;
  }

  segment(kind: string, n: number): Uint8Array | undefined {
    for (let i = this.#segments.length - 1; i >= 0; i--) {
      const m = this.#segments[i].media.get(kind as Kind);
      if (m && m.n <= n) return m.n === n ? m.bytes : undefined;
    }
    return undefined;
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
    this.#waiters.wake();
  }

  #close(next?: Frame) {
    const frames = this.#frames;
    if (frames.length === 0) return;
    this.#frames = [];
    const fragments = trackFragments(this.#tracks, frames, {
      shift: this.#shift,
      sequence: this.#next + 1,
      next,
    });
    const media = new Map<Kind, TrackFragment & { n: number }>();
    for (const [kind, f] of fragments) {
      const n = this.#numbers.get(kind) ?? this.#next;
      this.#numbers.set(kind, n + 1);
      media.set(kind, { ...f, n });
      this.stats.bytes += f.bytes.byteLength;
    }
    const main = media.get(this.#tracks[0].kind);
    const duration = main ? main.t.d / this.#tracks[0].track.clockRate : 0;
    this.#next++;
    this.#segments.push({ media, duration });
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
    this.#waiters.end();
  }

  /** The dynamic MPD (a static one once the stream has ended, so players stop at its end). */
  mpd(): string {
    const listed = this.#listed();
    const now = this.#now();
    const target = this.#o.targetMs / 1000;
    const sets = this.#tracks.map((st, id) => {
      const timeline = listed.flatMap((s) => s.media.get(st.kind)?.t ?? []);
      return adaptationSet(st, {
        id,
        uriPrefix: this.#o.uriPrefix,
        startNumber: listed.find((s) => s.media.has(st.kind))?.media.get(st.kind)?.n ?? this.#next,
        timeline,
        bytes: listed.reduce((a, s) => a + (s.media.get(st.kind)?.bytes.byteLength ?? 0), 0),
        // A static (ended) presentation starts at its first segment.
        pto: this.#ended ? timeline[0]?.t : undefined,
        initVersion: this.#first,
      });
    });
    const ended = this.#ended;
    const total = listed.reduce((a, s) => a + s.duration, 0);
    return writeMpd({
      type: ended ? "static" : "dynamic",
      availabilityStartTime: Number.isFinite(this.#anchor) ? Math.round(this.#anchor) : now,
      publishTime: now,
      // Refresh twice per segment: a player learns of a new segment soon after it exists.
      minimumUpdatePeriod: target / 2,
      timeShiftBufferDepth: Math.max(this.#o.windowS, 2 * target),
      suggestedPresentationDelay: 3 * target,
      minBufferTime: target,
      maxSegmentDuration: Math.max(target, Math.ceil(this.#maxDuration)),
      mediaPresentationDuration: ended ? total : undefined,
      utcTiming: ended ? undefined : now,
      adaptationSets: sets,
    });
  }

  /** Resolves true when `ready()` holds, false when the stream ended first, `signal` fired or `timeoutMs` passed. */
  wait(ready: () => boolean, signal?: AbortSignal, timeoutMs?: number): Promise<boolean> {
    return this.#waiters.wait(ready, signal, timeoutMs);
  }
}
