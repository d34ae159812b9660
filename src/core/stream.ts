import type { Frame } from "./frame.ts";
import type { AudioTrack, Track, VideoTrack } from "./track.ts";
import { Reader, type ReaderOptions, type ReaderSink } from "./reader.ts";
import { type SharedOutput, SharedOutputs } from "./shared_outputs.ts";

export interface GopCacheOptions {
  enabled: boolean;
  /** Past either cap the cache is emptied until the next keyframe (smart_rtmpd's gopquesize). */
  maxFrames: number;
  maxBytes: number;
}

export interface PublishInfo {
  /** The protocol it came in on: rtmp | rtsp | srt | webrtc | … (metadata only). */
  from: string;
  remote?: string;
  /** The publisher's raw query string, without "?". */
  query?: string;
  /** Forward chain: ids of the servers this stream came through (a forwarder appends its own). */
  via?: readonly string[];
  /** A sibling worker's stream played here: no segmenter, recording or forward of its own. */
  relay?: boolean;
}

/**
 * The player name a sibling worker's relay pull counts under: not one of the server's players (the
 * players it serves are counted on their own worker).
 */
export const RELAY_PLAYER = "relay";

/**
 * Where frames were lost to a consumer that fell behind: a Reader's bounded queue (a fan-out's muxing
 * reader, a segmenter, the recorder) or a fan-out player's backlog (its socket did not drain).
 */
export type DropReason = "reader_queue" | "player_backlog";

export interface DropCount {
  frames: number;
  bytes: number;
}

export interface StreamStats {
  bytesIn: number;
  /** Bytes handed to players' connections by the fan-outs (FLV, RTMP, RTSP, SRT players). */
  bytesOut: number;
  /** Every loss, by reason; a drop log turns changes into periodic summaries. */
  dropped: Record<DropReason, DropCount>;
  framesIn: number;
  videoFrames: number;
  audioFrames: number;
  /** Frames between the last two video keyframes. */
  gop: number;
  lastFrameAt: number;
}

/** Which tracks the ingest announced (SDP, PMT, onMetaData); `tracksReady` waits for their parameters. */
export interface ExpectedTracks {
  video: boolean;
  audio: boolean;
}

/**
 * How long `tracksReady` waits for a track that was announced (or, without an announcement, for the
 * second kind) before it settles for the tracks it has. Bounded so a track that never comes costs
 * players this much start-up delay once, not forever.
 */
export const TRACKS_READY_WAIT_MS = 1500;

/**
 * One live stream (`app/name`). `write()` is synchronous: it updates the tracks, the GOP cache and
 * pushes the frame to every Reader. The Stream never learns protocol names.
 */
export class Stream {
  readonly key: string;
  readonly app: string;
  readonly name: string;
  readonly vhost: string;
  readonly info: PublishInfo;
  readonly startedAt = Date.now();
  readonly stats: StreamStats = {
    bytesIn: 0,
    bytesOut: 0,
    dropped: { reader_queue: { frames: 0, bytes: 0 }, player_backlog: { frames: 0, bytes: 0 } },
    framesIn: 0,
    videoFrames: 0,
    audioFrames: 0,
    gop: 0,
    lastFrameAt: 0,
  };
  /** onMetaData-style properties from the publisher, passed through to FLV/RTMP players. */
  metadata: Record<string, unknown> | undefined;

  #video: VideoTrack | undefined;
  #audio: AudioTrack | undefined;
  #gop: Frame[] = [];
  #gopBytes = 0;
  #gopOpts: GopCacheOptions;
  #framesSinceKey = 0;
  #readers = new Set<Reader>();
  /** Per-stream shared outputs (FLV tags, RTMP chunks, TS, RTP, segmenters): mux once, share bytes. */
  readonly outputs: SharedOutputs = new SharedOutputs();
  #expected: ExpectedTracks | undefined;
  #ready = false;
  #waitedOut = false;
  #readyTimer: ReturnType<typeof setTimeout> | undefined;
  #tracksWaitMs: number;
  #resolveReady!: (t: readonly Track[]) => void;
  /**
   * Resolves with the stream's tracks once the codec parameters of every announced track are known
   * (or, without an announcement, once it has video and audio), or after TRACKS_READY_WAIT_MS with
   * whatever tracks it has by then. Outputs that write a header (HLS, DASH, RTSP DESCRIBE) wait for it.
   */
  readonly tracksReady: Promise<readonly Track[]> = new Promise((r) => this.#resolveReady = r);
  #players = new Map<string, number>();
  #ended = false;
  #endReason = "";
  #trackListeners = new Set<(t: Track) => void>();
  #dropListeners = new Set<(s: Stream) => void>();
  #resolveEnded!: (reason: string) => void;
  /** Resolves with the reason when the publisher leaves (or is closed by the hub). */
  readonly ended: Promise<string> = new Promise((r) => this.#resolveEnded = r);

  constructor(opts: {
    app: string;
    name: string;
    vhost: string;
    info: PublishInfo;
    gop: GopCacheOptions;
    tracksWaitMs?: number;
  }) {
    this.app = opts.app;
    this.name = opts.name;
    this.key = `${opts.app}/${opts.name}`;
    this.vhost = opts.vhost;
    this.info = opts.info;
    this.#gopOpts = opts.gop;
    this.#tracksWaitMs = opts.tracksWaitMs ?? TRACKS_READY_WAIT_MS;
  }

  /** True once `tracksReady` has resolved. */
  get isTracksReady(): boolean {
    return this.#ready;
  }

  /** The ingest says which tracks will come (from its SDP, PMT or metadata). */
  expectTracks(kinds: ExpectedTracks): void {
    this.#expected = kinds;
    this.#checkReady();
  }

  #checkReady() {
    if (this.#ready || this.#ended) return;
    // The bounded wait starts with the first sign of media (an announcement or a track).
    this.#readyTimer ??= setTimeout(() => {
      this.#waitedOut = true;
      this.#checkReady();
    }, this.#tracksWaitMs);
    const want = this.#expected ?? { video: true, audio: true };
    const have = (!want.video || this.#video !== undefined) && (!want.audio || this.#audio !== undefined);
    const any = this.#video !== undefined || this.#audio !== undefined;
    if (
      (have && (any || this.#expected !== undefined && !want.video && !want.audio)) ||
      (this.#waitedOut && any)
    ) {
      this.#settleReady();
    }
  }

  #settleReady() {
    if (this.#ready) return;
    this.#ready = true;
    clearTimeout(this.#readyTimer);
    this.#readyTimer = undefined;
    this.#resolveReady(this.tracks);
  }

  get videoTrack(): VideoTrack | undefined {
    return this.#video;
  }
  get audioTrack(): AudioTrack | undefined {
    return this.#audio;
  }
  get tracks(): Track[] {
    const t: Track[] = [];
    if (this.#video) t.push(this.#video);
    if (this.#audio) t.push(this.#audio);
    return t;
  }
  get isEnded(): boolean {
    return this.#ended;
  }
  get endReason(): string {
    return this.#endReason;
  }
  get readerCount(): number {
    return this.#readers.size;
  }

  /** Declares a track before its first frame (sequence header, SDP, PMT). */
  setTrack(track: Track): void {
    if (track.kind === "video") {
      if (this.#video === track) return;
      this.#video = track;
    } else {
      if (this.#audio === track) return;
      this.#audio = track;
    }
    this.#checkReady();
    for (const fn of this.#trackListeners) fn(track);
  }

  /** Called whenever a track is declared or replaced. Returns an unsubscribe function. */
  onTrack(fn: (t: Track) => void): () => void {
    this.#trackListeners.add(fn);
    return () => this.#trackListeners.delete(fn);
  }

  write(frame: Frame): void {
    if (this.#ended) return;
    const t = frame.track;
    if (t !== this.#video && t !== this.#audio) this.setTrack(t);
    const s = this.stats;
    s.bytesIn += frame.data.byteLength;
    s.framesIn++;
    s.lastFrameAt = Date.now();
    if (t.kind === "video") {
      s.videoFrames++;
      if (frame.key) {
        s.gop = this.#framesSinceKey;
        this.#framesSinceKey = 0;
      }
      this.#framesSinceKey++;
    } else s.audioFrames++;
    this.#cache(frame);
    for (const r of this.#readers) r.push(frame);
  }

  #cache(frame: Frame) {
    if (!this.#gopOpts.enabled || !this.#video) return;
    if (frame.key && frame.track.kind === "video") {
      this.#gop = [];
      this.#gopBytes = 0;
    } else if (this.#gop.length === 0) return; // overflowed, or no keyframe yet
    this.#gop.push(frame);
    this.#gopBytes += frame.data.byteLength;
    if (this.#gop.length > this.#gopOpts.maxFrames || this.#gopBytes > this.#gopOpts.maxBytes) {
      this.#gop = [];
      this.#gopBytes = 0;
    }
  }

  /** The cached frames from the last video keyframe (empty when disabled or overflowed). */
  get gopCache(): readonly Frame[] {
    return this.#gop;
  }

  #isRestartPoint = (f: Frame): boolean => f.key && (f.track.kind === "video" || !this.#video);

  /**
   * Adds a consumer. It first receives the GOP cache (fast start), then live frames.
   * Without a cache it starts at the next restart point (video keyframe, or any audio frame
   * in an audio-only stream).
   */
  addReader(sink: ReaderSink, opts: ReaderOptions = {}): Reader {
    const userClose = opts.onClose;
    const userDrop = opts.onDrop;
    const reader = new Reader(sink, {
      ...opts,
      onDrop: (r, frames, bytes) => {
        this.countDrop("reader_queue", frames, bytes);
        userDrop?.(r, frames, bytes);
      },
      onClose: (r, reason) => {
        this.#readers.delete(r);
        userClose?.(r, reason);
      },
    });
    reader.isRestartPoint = this.#isRestartPoint;
    if (this.#ended) {
      reader.close("stream ended");
      return reader;
    }
    for (const f of this.#gop) reader.push(f);
    if (this.#gop.length === 0) reader.skipToRestartPoint();
    this.#readers.add(reader);
    return reader;
  }

  /** Counts a loss (called by the stream's Readers and fan-outs) and tells the drop listeners. */
  countDrop(reason: DropReason, frames: number, bytes: number): void {
    const d = this.stats.dropped[reason];
    d.frames += frames;
    d.bytes += bytes;
    for (const fn of this.#dropListeners) fn(this);
  }

  /** Called after every loss counted in `stats.dropped`. Returns an unsubscribe function. */
  onDrop(fn: (s: Stream) => void): () => void {
    this.#dropListeners.add(fn);
    return () => this.#dropListeners.delete(fn);
  }

  /** Counts a player of a protocol (for /api/live cmd=count); returns its release function. */
  attachPlayer(protocol: string): () => void {
    this.#players.set(protocol, (this.#players.get(protocol) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#players.set(protocol, (this.#players.get(protocol) ?? 1) - 1);
    };
  }

  get players(): ReadonlyMap<string, number> {
    return this.#players;
  }

  /** Ends the stream: readers are closed after they drain what they already have queued. */
  end(reason = "unpublished"): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endReason = reason;
    const readers = [...this.#readers];
    for (const r of readers) r.finish(`stream ended: ${reason}`);
    // Shared outputs (fan-outs, segmenters) close after their readers delivered the last frames.
    const shared: SharedOutput[] = this.outputs.takeAll();
    Promise.all(readers.map((r) => r.done)).then(() => {
      for (const v of shared) v.close();
    });
    this.#settleReady();
    this.#gop = [];
    this.#trackListeners.clear();
    this.#resolveEnded(reason);
  }
}
