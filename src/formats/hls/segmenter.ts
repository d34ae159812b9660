/**
 * The live HLS segmenter: frames in, a sliding window of in-memory segments (and LL-HLS parts) out,
 * plus the playlist that describes them. No timers and no sockets: the HTTP layer feeds it from a
 * Reader, bounds blocking waits with its own signal, and serves the bytes.
 */
import type { Frame } from "../../core/frame.ts";
import { concat } from "../../core/fanout.ts";
import { Cut, type OutputTracks, SegmentCutter, type Waitable, Waiters } from "../segment/mod.ts";
import { type PlaylistPart, type PlaylistSegment, writeMediaPlaylist } from "./playlist.ts";
import type { SegmentWriter } from "./writer.ts";

export interface HlsSegmenterOptions {
  writer: SegmentWriter;
  /** The tracks the writer was made for (to notice when the stream's tracks change). */
  tracks?: OutputTracks;
  primary: "video" | "audio";
  /** Target segment duration, ms (`hlsduration`). */
  targetMs: number;
  /** LL-HLS part target, ms; absent = whole segments only (TS). */
  partTargetMs?: number;
  /** Segments listed in the playlist (`hlssegment`). */
  windowSize: number;
  /** Segments kept after they leave the playlist, for slow players (`hlslivecache`). */
  cacheSize: number;
  /** Prepended to every URI in the playlist ("cam/" for /live/cam.m3u8 → /live/cam/3.ts). */
  uriPrefix: string;
  /** First media sequence number (continues a previous segmenter's numbering). */
  firstMsn?: number;
  /** Continues a previous segmenter: its first segment is a discontinuity, counted from here. */
  continues?: { discontinuitySequence: number };
  /** Wall clock, ms (tests pass a fake one). */
  now?: () => number;
}

export interface HlsPart {
  /** Global part number: part URIs do not depend on where the segment ends, so hints stay valid. */
  n: number;
  duration: number;
  independent: boolean;
  bytes: Uint8Array;
}

export interface HlsSegment {
  msn: number;
  duration: number;
  discontinuity: boolean;
  programDateTime: number;
  parts: HlsPart[];
  bytes: Uint8Array;
}

export class HlsSegmenter implements Waitable {
  readonly #o: HlsSegmenterOptions;
  readonly #cutter: SegmentCutter;
  readonly #now: () => number;
  #segments: HlsSegment[] = [];
  #open: HlsSegment;
  #frames: Frame[] = [];
  /** Bytes of the open segment muxed so far (whole-segment mode, no parts). */
  #muxed: Uint8Array[] = [];
  #nextPart = 0;
  #maxDuration = 0;
  #anchor = Infinity;
  #ended = false;
  #partIndependent = false;
  #openStartMs = 0;
  readonly #firstMsn: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE: discontinuities that have left the playlist window. */
  #discSeq = 0;
  readonly #waiters = new Waiters();
  /** Counts the changes to what the playlist says (a part, a segment, the end). */
  #version = 0;
  readonly stats = { segments: 0, parts: 0, bytes: 0 };

  constructor(opts: HlsSegmenterOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#cutter = new SegmentCutter({
      targetMs: opts.targetMs,
      partTargetMs: opts.partTargetMs,
      primary: opts.primary,
    });
    this.#firstMsn = opts.firstMsn ?? 0;
    this.#open = this.#newSegment(this.#firstMsn, opts.continues !== undefined);
    this.#discSeq = opts.continues?.discontinuitySequence ?? 0;
  }

  get ended(): boolean {
    return this.#ended;
  }
  /** Changes whenever the playlist would: a playlist rendered at one version holds until the next. */
  get version(): number {
    return this.#version;
  }
  get ext(): "ts" | "m4s" {
    return this.#o.writer.ext;
  }
  /** The media sequence number the next segmenter of this stream should start at. */
  get nextMsn(): number {
    return this.#open.msn + (this.#openIsEmpty() ? 0 : 1);
  }
  /** What a segmenter continuing this one starts its discontinuity sequence at. */
  get nextDiscontinuitySequence(): number {
    let n = this.#discSeq;
    for (const s of this.#segments.slice(-this.#o.windowSize)) if (s.discontinuity) n++;
    return n;
  }
  /** Complete segments in the window. */
  get segmentCount(): number {
    return Math.min(this.#segments.length, this.#o.windowSize);
  }
  get init(): Uint8Array | undefined {
    return this.#o.writer.init();
  }
  get tracks(): OutputTracks {
    return this.#o.tracks ?? {};
  }
  /**
   * The init segment's file name. It carries the first media sequence number, so a new init
   * (the stream's tracks changed, or a republish) never reuses a cached URL.
   */
  get initName(): string {
    return `init-${this.#firstMsn}.mp4`;
  }

  #newSegment(msn: number, discontinuity: boolean): HlsSegment {
    return { msn, duration: 0, discontinuity, programDateTime: 0, parts: [], bytes: new Uint8Array(0) };
  }

  push(frames: readonly Frame[]): void {
    if (this.#ended) return;
    for (const f of frames) {
      const cut = this.#cutter.push(f);
      if (cut === Cut.Drop) continue;
      if (f.track.kind === this.#o.primary) {
        this.#anchor = Math.min(this.#anchor, this.#now() - (f.dts * 1000) / f.track.clockRate);
        if (this.#openIsEmpty()) {
          this.#openStartMs = (f.dts * 1000) / f.track.clockRate;
        }
      }
      if (cut === Cut.Part || cut === Cut.Segment) this.#closePart(this.#cutter.partDuration, f);
      if (cut === Cut.Segment) {
        this.#closeSegment(this.#cutter.segmentDuration);
        this.#open = this.#newSegment(this.#open.msn + 1, this.#cutter.discontinuity);
        this.#openStartMs = (f.dts * 1000) / f.track.clockRate;
      }
      this.#frames.push(f);
    }
    // Without parts, mux as frames arrive: the segment's close then only joins the pieces.
    if (this.#o.partTargetMs === undefined && this.#frames.length > 0) {
      this.#muxed.push(this.#o.writer.write(this.#frames, { segmentStart: this.#muxed.length === 0 }));
      this.#frames = [];
    }
    this.#waiters.wake();
  }

  #openIsEmpty(): boolean {
    return this.#open.parts.length === 0 && this.#frames.length === 0 && this.#muxed.length === 0;
  }

  #closePart(duration: number, next?: Frame) {
    if (this.#frames.length === 0 && this.#muxed.length === 0) return;
    const segmentStart = this.#open.parts.length === 0;
    const end = next ? { track: next.track.kind, dts: next.dts } : undefined;
    let bytes: Uint8Array;
    if (this.#muxed.length > 0) {
      if (this.#frames.length > 0) {
        this.#muxed.push(this.#o.writer.write(this.#frames, { segmentStart: false, end }));
      }
      bytes = this.#muxed.length === 1 ? this.#muxed[0] : concat(this.#muxed);
      this.#muxed = [];
    } else {
      bytes = this.#o.writer.write(this.#frames, { segmentStart, end });
    }
    this.#frames = [];
    const independent = segmentStart || this.#partIndependent;
    this.#open.parts.push({ n: this.#nextPart++, duration, independent, bytes });
    this.#partIndependent = this.#cutter.independent;
    this.#version++;
    this.stats.parts++;
    this.stats.bytes += bytes.byteLength;
  }

  #closeSegment(duration: number) {
    const seg = this.#open;
    if (seg.parts.length === 0) return;
    seg.duration = duration;
    // Dated at the close, with the best clock anchor so far (a GOP-cache burst arrives late).
    seg.programDateTime = Math.round(this.#anchor + this.#openStartMs);
    seg.bytes = seg.parts.length === 1 ? seg.parts[0].bytes : concat(seg.parts.map((p) => p.bytes));
    // Parts become views of the segment, so their own buffers can be freed.
    let o = 0;
    for (const p of seg.parts) {
      p.bytes = seg.bytes.subarray(o, o + p.bytes.byteLength);
      o += p.bytes.byteLength;
    }
    this.#segments.push(seg);
    const left = this.#segments[this.#segments.length - 1 - this.#o.windowSize];
    if (left?.discontinuity) this.#discSeq++;
    this.#maxDuration = Math.max(this.#maxDuration, duration);
    this.#version++;
    this.stats.segments++;
    const keep = this.#o.windowSize + this.#o.cacheSize;
    if (this.#segments.length > keep) this.#segments.splice(0, this.#segments.length - keep);
  }

  /** Ends the stream: the open segment is closed and the playlist gets #EXT-X-ENDLIST. */
  end(): void {
    if (this.#ended) return;
    const { partDuration, segmentDuration } = this.#cutter.flush();
    this.#closePart(partDuration);
    this.#closeSegment(segmentDuration);
    if (this.#open.parts.length > 0) this.#open = this.#newSegment(this.#open.msn + 1, false);
    this.#ended = true;
    this.#version++;
    this.#waiters.end();
  }

  /** Target duration: the configured one, raised to cover longer segments (a GOP longer than the target). */
  get targetDuration(): number {
    return Math.max(Math.ceil(this.#o.targetMs / 1000), Math.round(this.#maxDuration));
  }

  #uri(s: string): string {
    return this.#o.uriPrefix + s;
  }

  #partUri(n: number): string {
    return this.#uri(`p${n}.m4s`);
  }

  #playlistParts(parts: readonly HlsPart[]): PlaylistPart[] {
    return parts.map((p) => ({ uri: this.#partUri(p.n), duration: p.duration, independent: p.independent }));
  }

  /** The media playlist; `lowLatency` adds parts, server control and the preload hint. */
  playlist(opts: { lowLatency?: boolean } = {}): string {
    const ll = opts.lowLatency && this.#o.partTargetMs !== undefined;
    const listed = this.#segments.slice(-this.#o.windowSize);
    const target = this.targetDuration;
    let tail = 0;
    const segments: PlaylistSegment[] = [];
    for (let i = listed.length - 1; i >= 0; i--) {
      const s = listed[i];
      // Parts only for the last three target durations, as the LL-HLS draft recommends.
      const withParts = ll && tail < 3 * target;
      tail += s.duration;
      segments.unshift({
        uri: this.#uri(`${s.msn}.${this.ext}`),
        duration: s.duration,
        discontinuity: s.discontinuity,
        programDateTime: s.programDateTime,
        parts: withParts ? this.#playlistParts(s.parts) : undefined,
      });
    }
    const partTarget = Math.ceil(this.#o.partTargetMs ?? 0) / 1000;
    return writeMediaPlaylist({
      targetDuration: target,
      mediaSequence: listed[0]?.msn ?? this.#open.msn,
      discontinuitySequence: this.#discSeq,
      map: this.ext === "m4s" ? this.#uri(this.initName) : undefined,
      segments,
      endList: this.#ended,
      lowLatency: ll
        ? {
          partTarget,
          partHoldBack: Math.round(partTarget * 3000) / 1000,
          canBlockReload: true,
          pendingParts: this.#playlistParts(this.#open.parts),
          preloadHint: this.#partUri(this.#nextPart),
        }
        : undefined,
    });
  }

  /** A complete segment by media sequence number (in the window or the cache). */
  segment(msn: number): Uint8Array | undefined {
    const first = this.#segments[0]?.msn ?? 0;
    return this.#segments[msn - first]?.bytes;
  }

  /** A part by global number, complete or in the open segment. */
  part(n: number): Uint8Array | undefined {
    for (const p of this.#open.parts) if (p.n === n) return p.bytes;
    for (let i = this.#segments.length - 1; i >= 0; i--) {
      const parts = this.#segments[i].parts;
      if (parts.length === 0 || parts[0].n > n) continue;
      return parts[n - parts[0].n]?.bytes;
    }
    return undefined;
  }

  /** The newest part position: [msn, part index within it], or undefined before the first part. */
  #lastPosition(): [number, number] | undefined {
    if (this.#open.parts.length > 0) return [this.#open.msn, this.#open.parts.length - 1];
    const s = this.#segments[this.#segments.length - 1];
    return s ? [s.msn, s.parts.length - 1] : undefined;
  }

  /**
   * Whether a blocking playlist request can be answered: segment `msn` is complete, or (with
   * `part`) the playlist holds that part of it or anything later.
   */
  hasPosition(msn: number, part?: number): boolean {
    if (this.#ended) return true;
    if (part === undefined) {
      const last = this.#segments[this.#segments.length - 1];
      return last !== undefined && last.msn >= msn;
    }
    const pos = this.#lastPosition();
    if (!pos) return false;
    return pos[0] > msn || (pos[0] === msn && pos[1] >= part);
  }

  /** How far ahead a request may point before it is refused (the LL-HLS draft: more than two segments). */
  isTooFarAhead(msn: number): boolean {
    return msn > this.#open.msn + 2;
  }

  /** Whether part `n` may still be produced (the hint or the next few), so a request for it should wait. */
  isUpcomingPart(n: number): boolean {
    return !this.#ended && n >= this.#nextPart && n <= this.#nextPart + 2;
  }

  /** Resolves true when `ready()` holds, false if the stream ended first, `signal` fired or `timeoutMs` passed. */
  wait(ready: () => boolean, signal?: AbortSignal, timeoutMs?: number): Promise<boolean> {
    return this.#waiters.wait(ready, signal, timeoutMs);
  }
}
