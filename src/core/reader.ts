import type { Frame } from "./frame.ts";

/** Receives frames in batches (a merged write); a returned promise is awaited before the next batch. */
export type ReaderSink = (frames: Frame[]) => void | Promise<void>;

export interface ReaderOptions {
  /** Queue bound in payload bytes; past it the reader drops to the next keyframe. */
  maxBytes?: number;
  /** Queue bound in media time (ms between the oldest and newest queued frame). */
  maxDurationMs?: number;
  /** Coalescing window: frames arriving within it are handed to the sink as one batch. */
  batchMs?: number;
  /**
   * Called for each queued frame: true ends the batch now (the sink gets the queue at once instead
   * of at the end of the window). `waitedMs`: since the batch's first frame was queued.
   */
  endsBatch?: (frame: Frame, waitedMs: number, queuedBytes: number) => boolean;
  /** After this many overflow drops the reader closes itself (a viewer that never catches up). */
  maxDrops?: number;
  /**
   * Called on every loss: once with the frames and bytes an overflow discarded from the queue, then
   * once per frame skipped until the next restart point. Frames skipped by a reader that joins
   * without a GOP cache are not losses (it simply starts at a keyframe) and are not reported.
   */
  onDrop?: (reader: Reader, frames: number, bytes: number) => void;
  onClose?: (reader: Reader, reason: string) => void;
}

export interface ReaderStats {
  frames: number;
  bytes: number;
  /** Overflows (each one drops to the next restart point). */
  drops: number;
  /** Frames and bytes lost to overflows, including those skipped until the next restart point. */
  droppedFrames: number;
  droppedBytes: number;
}

/**
 * A bounded queue between a Stream and one consumer. The Stream pushes synchronously and is never
 * blocked: a consumer that falls behind loses frames up to the next keyframe instead.
 */
export class Reader {
  readonly stats: ReaderStats = { frames: 0, bytes: 0, drops: 0, droppedFrames: 0, droppedBytes: 0 };
  #sink: ReaderSink;
  #queue: Frame[] = [];
  #queuedBytes = 0;
  #maxBytes: number;
  #maxDuration: number;
  #batchMs: number;
  #maxDrops: number;
  #opts: ReaderOptions;
  #dropping = false;
  /** The current skip follows an overflow (a loss), not a join without a GOP cache. */
  #skipIsLoss = false;
  #running = false;
  #closed = false;
  #closeReason = "";
  #finishing = "";
  #timer: ReturnType<typeof setTimeout> | 0 | undefined;
  /** When the batch's first frame was queued (performance.now()). */
  #batchStart = 0;
  #endsBatch: ReaderOptions["endsBatch"];
  /** Set by the Stream: whether a frame may start a fresh decode (video key, or audio when no video). */
  isRestartPoint: (f: Frame) => boolean = (f) => f.key;
  #resolveDone!: () => void;
  readonly done: Promise<void> = new Promise((r) => this.#resolveDone = r);

  constructor(sink: ReaderSink, opts: ReaderOptions = {}) {
    this.#sink = sink;
    this.#opts = opts;
    this.#maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
    this.#maxDuration = opts.maxDurationMs ?? 30_000;
    this.#batchMs = opts.batchMs ?? 0;
    this.#maxDrops = opts.maxDrops ?? Infinity;
    this.#endsBatch = opts.endsBatch;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get closeReason(): string {
    return this.#closeReason;
  }

  /** The coalescing window can change while running (the fan-out widens it under load). */
  set batchMs(ms: number) {
    this.#batchMs = ms;
  }
  get batchMs(): number {
    return this.#batchMs;
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Discards frames until the next restart point (used when a reader joins without a GOP cache). */
  skipToRestartPoint(): void {
    this.#dropping = true;
    this.#skipIsLoss = false;
  }

  push(frame: Frame): void {
    if (this.#closed || this.#finishing) return;
    if (this.#dropping) {
      if (!this.isRestartPoint(frame)) {
        if (this.#skipIsLoss) this.#lost(1, frame.data.byteLength);
        return;
      }
      this.#dropping = false;
    }
    const now = this.#endsBatch ? performance.now() : 0;
    if (this.#queue.length === 0) this.#batchStart = now;
    this.#queue.push(frame);
    this.#queuedBytes += frame.data.byteLength;
    if (this.#queuedBytes > this.#maxBytes || this.#queuedTooLong()) {
      this.#overflow();
      return;
    }
    if (this.#endsBatch?.(frame, now - this.#batchStart, this.#queuedBytes) && !this.#running) {
      if (this.#timer === 0) return; // already draining at the next microtask
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = 0;
      queueMicrotask(this.#startDrain);
      return;
    }
    if (!this.#running && this.#timer === undefined) this.#schedule();
  }

  #queuedTooLong(): boolean {
    const q = this.#queue;
    if (q.length < 2) return false;
    const a = q[0], b = q[q.length - 1];
    if (a.track !== b.track) return false;
    return (b.dts - a.dts) * 1000 / a.track.clockRate > this.#maxDuration;
  }

  #overflow() {
    const frames = this.#queue.length, bytes = this.#queuedBytes;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#dropping = true;
    this.#skipIsLoss = true;
    this.stats.drops++;
    this.#lost(frames, bytes);
    if (this.stats.drops > this.#maxDrops) this.close("too slow: dropped to keyframe too often");
  }

  #lost(frames: number, bytes: number) {
    this.stats.droppedFrames += frames;
    this.stats.droppedBytes += bytes;
    this.#opts.onDrop?.(this, frames, bytes);
  }

  #schedule() {
    if (this.#batchMs > 0) {
      this.#timer = setTimeout(this.#startDrain, this.#batchMs);
    } else {
      this.#timer = 0;
      queueMicrotask(this.#startDrain);
    }
  }

  #startDrain = () => {
    this.#timer = undefined;
    if (!this.#running) this.#drain();
  };

  async #drain() {
    this.#running = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const batch = this.#queue;
        this.#queue = [];
        this.#queuedBytes = 0;
        this.stats.frames += batch.length;
        for (const f of batch) this.stats.bytes += f.data.byteLength;
        await this.#sink(batch);
      }
    } catch (err) {
      this.close(`sink failed: ${(err as Error)?.message ?? err}`);
    } finally {
      this.#running = false;
    }
    if (this.#finishing && !this.#closed) this.close(this.#finishing);
  }

  /** Closes once the frames already queued have been delivered (end of stream). */
  finish(reason: string): void {
    if (this.#closed || this.#finishing) return;
    this.#finishing = reason;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (!this.#running) {
      if (this.#queue.length > 0) this.#drain();
      else this.close(reason);
    }
  }

  /** Stops delivery. Idempotent; the Stream forgets closed readers. */
  close(reason = "closed"): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    if (this.#timer) clearTimeout(this.#timer);
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#opts.onClose?.(this, reason);
    this.#resolveDone();
  }
}
