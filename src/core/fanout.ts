import { concat } from "./bytes.ts";
import { BatchWindow } from "./batch_window.ts";
import type { Frame } from "./frame.ts";
import type { Reader } from "./reader.ts";
import type { Stream, StreamStats } from "./stream.ts";
import type { SharedOutput } from "./shared_outputs.ts";
export { FANOUT_DEFAULTS, type FanoutMuxer, type FanoutOptions, type FanoutSink } from "./fanout_contract.ts";
import type { FanoutMuxer, FanoutOptions, FanoutSink } from "./fanout_contract.ts";

interface Chunk {
  bytes: Uint8Array;
  /** Starts at a restart point (video keyframe, or audio in an audio-only stream). */
  key: boolean;
  /** Frames muxed into it (for the drop counts). */
  frames: number;
}

export interface SubscriberStats {
  bytes: number;
  chunks: number;
  /** Backlog overflows (each one skips to the next key chunk). */
  drops: number;
  /** Frames and bytes this player lost to overflows, including the chunks skipped after them. */
  droppedFrames: number;
  droppedBytes: number;
}

/** One player of a Fanout: a write loop that merges its backlog into one write when behind. */
export class Subscriber {
  readonly stats: SubscriberStats = { bytes: 0, chunks: 0, drops: 0, droppedFrames: 0, droppedBytes: 0 };
  #sink: FanoutSink;
  #fanout: Fanout;
  /** The stream's counters: every write adds to its outbound bytes. */
  #streamStats: StreamStats;
  #backlog: Uint8Array[] = [];
  #backlogBytes = 0;
  #writing = false;
  #writeStarted = 0;
  #dropping = false;
  /** The current skip follows an overflow (a loss), not a join without a GOP. */
  #skipIsLoss = false;
  #closed = false;
  #finishing = "";

  constructor(fanout: Fanout, sink: FanoutSink) {
    this.#fanout = fanout;
    this.#sink = sink;
    this.#streamStats = fanout.stream.stats;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Milliseconds the current write has been pending (0 when idle). */
  stalledFor(now: number): number {
    return this.#writing ? now - this.#writeStarted : 0;
  }

  /** @internal The player's own first bytes, then the shared GOP chunks as its backlog. */
  start(initial: Uint8Array, gop: readonly Uint8Array[]) {
    for (const c of gop) {
      this.#backlog.push(c);
      this.#backlogBytes += c.byteLength;
    }
    this.#write(initial);
  }

  /** @internal Skips shared chunks until one starts at a keyframe. */
  waitForKey() {
    this.#dropping = true;
    this.#skipIsLoss = false;
  }

  /** @internal hot path: called once per chunk per player. */
  deliver(chunk: Chunk, maxQueue: number, maxDrops: number) {
    if (this.#closed) return;
    if (this.#dropping) {
      if (!chunk.key) {
        if (this.#skipIsLoss) this.#lost(chunk.frames, chunk.bytes.byteLength);
        return;
      }
      this.#dropping = false;
    }
    if (!this.#writing) {
      this.#write(chunk.bytes);
      return;
    }
    this.#backlog.push(chunk.bytes);
    this.#backlogBytes += chunk.bytes.byteLength;
    if (this.#backlogBytes > maxQueue) {
      this.#lost(this.#fanout.framesIn(this.#backlog), this.#backlogBytes);
      this.#backlog = [];
      this.#backlogBytes = 0;
      this.#dropping = true;
      this.#skipIsLoss = true;
      this.stats.drops++;
      if (this.stats.drops > maxDrops) this.close("too slow: backlog overflowed too often");
    }
  }

  #lost(frames: number, bytes: number) {
    this.stats.droppedFrames += frames;
    this.stats.droppedBytes += bytes;
    this.#fanout.stream.countDrop("player_backlog", frames, bytes);
  }

  /**
   * Sends `bytes`, then the backlog: each piece straight onto the socket while it takes it whole
   * (no promise, no reaction), else by the sink's async write, whose completion comes back here.
   */
  #write(bytes: Uint8Array) {
    for (;;) {
      this.stats.bytes += bytes.byteLength;
      this.#streamStats.bytesOut += bytes.byteLength;
      this.stats.chunks++;
      const sent = this.#sink.trySend?.(bytes) ?? -1;
      if (sent !== bytes.byteLength) {
        this.#writing = true;
        this.#writeStarted = Date.now();
        this.#sink.write(sent > 0 ? bytes.subarray(sent) : bytes).then(this.#onWritten, this.#onError);
        return;
      }
      const next = this.#next();
      if (!next) return this.#idle();
      bytes = next;
    }
  }

  /** The backlog's next write, or undefined when it is empty. */
  #next(): Uint8Array | undefined {
    const n = this.#backlog.length;
    if (n === 0) return undefined;
    // A small backlog is merged into one write; a large one (a joining player's GOP) is written
    // chunk by chunk from the shared buffers, so no player ever holds a private copy of a GOP.
    let bytes: Uint8Array;
    if (n === 1 || this.#backlogBytes > MERGE_LIMIT) {
      bytes = this.#backlog.shift()!;
      this.#backlogBytes -= bytes.byteLength;
    } else {
      bytes = concat(this.#backlog, this.#backlogBytes);
      this.#backlog = [];
      this.#backlogBytes = 0;
    }
    return bytes;
  }

  #idle() {
    this.#writing = false;
    if (this.#finishing) this.close(this.#finishing);
  }

  #onWritten = () => {
    if (this.#closed) return;
    const bytes = this.#next();
    if (bytes) this.#write(bytes);
    else this.#idle();
  };

  #onError = (err: unknown) => {
    this.close(`write failed: ${(err as Error)?.message ?? err}`);
  };

  /** Closes once what is already queued for this player has been written (end of stream). */
  finish(reason: string) {
    if (this.#closed || this.#finishing) return;
    this.#finishing = reason;
    if (!this.#writing) this.close(reason);
  }

  close(reason: string) {
    if (this.#closed) return;
    this.#closed = true;
    this.#backlog = [];
    this.#fanout.remove(this);
    this.#sink.close(reason);
  }
}

/**
 * Mux once per stream, share the bytes: a Reader on the Stream muxes each batch of frames into one
 * contiguous chunk, cut before every keyframe, and every caught-up player gets that same chunk in
 * one write. See ARCHITECTURE.md, "Fan-out".
 */
export class Fanout implements SharedOutput {
  readonly #stream: Stream;
  readonly #muxer: FanoutMuxer;
  /** Owned by the service and shared by its fan-outs: a reload edits it in place (batch window, limits). */
  readonly #opts: FanoutOptions;
  readonly #reader: Reader;
  #subs: Subscriber[] = [];
  /** Chunks since (and including) the last key chunk: what a joining player needs to start at once. */
  #gop: Uint8Array[] = [];
  #gopBytes = 0;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #pendingKey = false;
  #pendingFrames = 0;
  /**
   * Frames per shared chunk, looked up only when a player's backlog overflows (a backlog holds the
   * shared buffers themselves, so a player carries no per-chunk bookkeeping on the hot path).
   */
  #chunkFrames = new WeakMap<Uint8Array, number>();
  #watchdog: ReturnType<typeof setInterval>;
  readonly #window: BatchWindow;
  #closed = false;
  /** Total chunks and bytes produced (once per stream, whatever the number of players). */
  readonly stats = { chunks: 0, bytes: 0 };

  constructor(stream: Stream, muxer: FanoutMuxer, opts: FanoutOptions) {
    this.#stream = stream;
    this.#muxer = muxer;
    this.#opts = opts;
    const window = this.#window = new BatchWindow(opts.batchMs);
    this.#reader = stream.addReader(this.#onFrames, {
      batchMs: opts.batchMs,
      endsBatch: (f, waited, bytes) => this.#opts.batchMs > 0 && window.endsBatch(f, waited, bytes),
      onClose: (_r, reason) => this.close(reason),
    });
    this.#watchdog = setInterval(this.#checkStalls, Math.max(250, Math.min(2000, opts.stallMs / 4)));
  }

  get size(): number {
    return this.#subs.length;
  }

  /** The batch window now (ms) and the smoothed time of one delivery to every player (ms). */
  get batch(): { windowMs: number; deliveryMs: number } {
    return { windowMs: this.#window.windowMs, deliveryMs: this.#window.costMs };
  }

  /** @internal The stream it muxes (its counters take the players' bytes and losses). */
  get stream(): Stream {
    return this.#stream;
  }

  /** @internal Frames in these shared chunks. */
  framesIn(chunks: readonly Uint8Array[]): number {
    let n = 0;
    for (const c of chunks) n += this.#chunkFrames.get(c) ?? 0;
    return n;
  }

  #onFrames = (frames: Frame[]) => {
    const out = this.#pending;
    for (const f of frames) {
      const restart = this.#reader.isRestartPoint(f);
      if (restart) this.#flush();
      const before = out.length;
      this.#muxer.mux(f, out);
      if (out.length > before) this.#pendingFrames++;
      if (restart && out.length > before) this.#pendingKey = true;
    }
    this.#flush();
  };

  #flush() {
    const parts = this.#pending;
    if (parts.length === 0) return;
    let size = 0;
    for (const p of parts) size += p.byteLength;
    const chunk: Chunk = {
      bytes: parts.length === 1 ? parts[0] : concat(parts, size),
      key: this.#pendingKey,
      frames: this.#pendingFrames,
    };
    this.#chunkFrames.set(chunk.bytes, chunk.frames);
    this.#pending.length = 0;
    this.#pendingKey = false;
    this.#pendingFrames = 0;
    if (chunk.key) {
      this.#gop = [];
      this.#gopBytes = 0;
    }
    if (chunk.key || this.#gop.length > 0) {
      this.#gop.push(chunk.bytes);
      this.#gopBytes += size;
      if (this.#gopBytes > this.#opts.maxQueueBytes) {
        this.#gop = [];
        this.#gopBytes = 0;
      }
    }
    this.stats.chunks++;
    this.stats.bytes += size;
    const { maxQueueBytes, maxDrops, batchMs, maxBatchMs, deliveryShare } = this.#opts;
    const subs = this.#subs;
    const t0 = performance.now();
    // Backwards: a player that closes during delivery is swapped out with the last one (already served).
    for (let i = subs.length - 1; i >= 0; i--) subs[i].deliver(chunk, maxQueueBytes, maxDrops);
    // The window follows what a delivery costs (and picks up a reloaded batchms/maxbatchms).
    const timer = batchMs > 0
      ? this.#window.delivered(performance.now() - t0, batchMs, maxBatchMs ?? 150, deliveryShare)
      : 0;
    if (timer !== this.#reader.batchMs) this.#reader.batchMs = timer;
  }

  /**
   * Adds a player: it gets the header plus the current GOP in one write, then shared chunks.
   * `prefix` is per-player bytes to send first (e.g. RTMP play status messages).
   */
  subscribe(sink: FanoutSink, prefix?: Uint8Array): Subscriber {
    const sub = new Subscriber(this, sink);
    if (this.#closed) {
      sink.close("stream ended");
      return sub;
    }
    // Frames queued in the reader but not yet muxed will arrive as the next chunk, so the
    // player's initial bytes end exactly where the shared chunks begin.
    const head = this.#muxer.header();
    const gop = this.#opts.fastStart ? this.#gop : [];
    this.#subs.push(sub);
    sub.start(prefix ? concat([prefix, head]) : head, gop);
    if (gop.length === 0) sub.waitForKey();
    return sub;
  }

  /** @internal */
  remove(sub: Subscriber) {
    const i = this.#subs.indexOf(sub);
    if (i >= 0) {
      this.#subs[i] = this.#subs[this.#subs.length - 1];
      this.#subs.pop();
    }
    if (this.#closed && this.#subs.length === 0) clearInterval(this.#watchdog);
  }

  #checkStalls = () => {
    const now = Date.now();
    for (const s of [...this.#subs]) {
      if (s.stalledFor(now) > this.#opts.stallMs) {
        s.close(`stalled: no write progress for ${this.#opts.stallMs} ms`);
      }
    }
  };

  close(reason = "closed") {
    if (this.#closed) return;
    this.#closed = true;
    this.#flush();
    // The watchdog outlives close() until the last finishing player is gone (a stuck one is cut).
    if (this.#subs.length === 0) clearInterval(this.#watchdog);
    this.#reader.close(reason);
    // Players keep what they were already sent: each one closes after its backlog is written.
    for (const s of [...this.#subs]) s.finish(reason);
    this.#gop = [];
  }
}

/** Backlogs up to this size are merged into one write. */
const MERGE_LIMIT = 32 * 1024;

// Re-exported for the modules that still import it from here; new code imports core/bytes.ts.
export { concat };
