/**
 * What AAC → Opus and Opus → AAC share: the source stream's Reader (bounded in media time, whole frames
 * dropped and counted under CPU pressure, restarting on any audio frame), the first frames' wait for the
 * lazily loaded codecs, the listeners of the derived frames, counters, and one warning per transcoder.
 * A direction supplies its source codec, what it does with each source frame and how it lets go of its
 * codec states.
 */
import type { AudioTrack, Frame, SharedOutput, Stream } from "../core/mod.ts";
import type { Logger } from "../log/logger.ts";
import { loadedCodecs, requireCodecs, transcodeCodecs } from "./codecs.ts";

export interface TranscoderStats {
  /** Source audio frames taken in. */
  framesIn: number;
  /** Derived frames emitted. */
  framesOut: number;
  /** Malformed source frames skipped (replaced by silence). */
  errors: number;
  /** Source frames dropped by the Reader queue (CPU pressure). */
  dropped: number;
  /** Timeline restarts (timestamp jumps, track changes). */
  restarts: number;
}

/** The derived audio of one stream, shared by every output that asked for it. */
export interface Transcoded<T extends AudioTrack> extends SharedOutput {
  /** The derived track, known from the first source frame. */
  readonly track: T | undefined;
  readonly stats: TranscoderStats;
  /** Calls fn with every derived frame (immutable, shared); returns the unsubscribe function. */
  onFrame(fn: (frame: Frame) => void): () => void;
}

export interface TranscoderOptions {
  log?: Logger;
  /** The Reader's queue bound in media time; past it whole frames are dropped (default 2000 ms). */
  maxQueueMs?: number;
}

export abstract class AudioTranscoder<T extends AudioTrack> implements Transcoded<T> {
  readonly stats: TranscoderStats = { framesIn: 0, framesOut: 0, errors: 0, dropped: 0, restarts: 0 };
  protected readonly log: Logger | undefined;
  readonly #listeners = new Set<(f: Frame) => void>();
  readonly #reader;
  readonly #source: string;
  readonly #direction: string;
  #closed = false;
  #warned = false;

  /** `direction` names the transcoder in its log lines, e.g. "AAC → Opus". */
  constructor(stream: Stream, source: AudioTrack["codec"], direction: string, opts: TranscoderOptions) {
    this.log = opts.log;
    this.#source = source;
    this.#direction = direction;
    this.#reader = stream.addReader((frames) => this.#take(frames), {
      maxDurationMs: opts.maxQueueMs ?? 2000,
      onDrop: (_r, frames) => this.stats.dropped += frames,
    });
    // Audio needs no video keyframe to restart after a drop: any audio frame will do.
    this.#reader.isRestartPoint = (f) => f.key && f.track.kind === "audio";
  }

  abstract get track(): T | undefined;

  /** One source frame of the source codec (the codecs are loaded). */
  protected abstract onSource(f: Frame): void;

  /** Lets go of the codec states (the transcoder is closing). */
  protected abstract release(): void;

  onFrame(fn: (frame: Frame) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.close("transcoder closed");
    this.release();
    this.#listeners.clear();
  }

  /** Feeds frames directly (tests and benchmarks, after `await transcodeCodecs()`). */
  write(frames: readonly Frame[]): void {
    requireCodecs();
    this.#onFrames(frames);
  }

  /** Hands a derived frame to every listener and counts it. */
  protected emit(frame: Frame): void {
    this.stats.framesOut++;
    for (const fn of this.#listeners) fn(frame);
  }

  /** Counts a source error; the first one of this transcoder is logged. */
  protected fault(message: string, fields: Record<string, unknown>): void {
    this.stats.errors++;
    if (this.#warned) return;
    this.#warned = true;
    this.log?.warn(message, fields);
  }

  /** The Reader's sink: the first frames wait for the codecs to load (codecs.ts). */
  #take(frames: readonly Frame[]): void | Promise<void> {
    if (loadedCodecs()) return this.#onFrames(frames);
    return transcodeCodecs().then(() => this.#onFrames(frames), (err) => {
      this.log?.error(`transcoder codecs failed to load: ${this.#direction} is off for this stream`, { err });
      this.close();
    });
  }

  #onFrames(frames: readonly Frame[]): void {
    for (const f of frames) {
      if (this.#closed) return;
      if (f.track.codec !== this.#source) continue;
      this.stats.framesIn++;
      this.onSource(f);
    }
  }
}

/**
 * Sample planes in, frames of `size` samples per channel out: the first `skip` samples (the chain's
 * delay after a start) are dropped, the rest wait until a whole frame is there.
 */
export class FrameCutter {
  readonly size: number;
  readonly #channels: number;
  #pending: Float32Array[];
  #length = 0;
  #skip: number;

  constructor(channels: number, size: number, skip: number) {
    this.size = size;
    this.#channels = channels;
    this.#skip = skip;
    this.#pending = Array.from({ length: channels }, () => new Float32Array(4 * size));
  }

  /** Starts over (a new timeline): nothing pending, `skip` samples to drop. */
  reset(skip: number): void {
    this.#length = 0;
    this.#skip = skip;
  }

  /** Appends `planes` and calls `onFrame` with every whole frame (views valid during the call only). */
  push(planes: readonly Float32Array[], onFrame: (frame: Float32Array[]) => void): void {
    if (this.#skip > 0) {
      const drop = Math.min(this.#skip, planes[0].length);
      this.#skip -= drop;
      planes = planes.map((p) => p.subarray(drop));
    }
    const n = planes[0].length;
    if (this.#length + n > this.#pending[0].length) {
      this.#pending = this.#pending.map((p) => {
        const bigger = new Float32Array(2 * (this.#length + n));
        bigger.set(p.subarray(0, this.#length));
        return bigger;
      });
    }
    for (let c = 0; c < this.#channels; c++) this.#pending[c].set(planes[c], this.#length);
    this.#length += n;
    let at = 0;
    while (this.#length - at >= this.size) {
      onFrame(this.#pending.map((p) => p.subarray(at, at + this.size)));
      at += this.size;
    }
    if (at > 0) {
      for (const p of this.#pending) p.copyWithin(0, at, this.#length);
      this.#length -= at;
    }
  }
}
