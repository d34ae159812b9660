import type { Frame } from "./frame.ts";

/**
 * The batch window of one fan-out: when a stream's new frames become one shared chunk. It follows
 * the cost of a delivery, not only the player count:
 *
 * - A batch ends at a video frame (players show video frame by frame; audio rides along with the
 *   next video frame), at a keyframe at once, or when it reaches FLUSH_BYTES.
 * - While delivering a chunk to every player is cheap, every video frame ends its batch: the window
 *   adds no latency to video. It widens only when deliveries get expensive: the window is the
 *   measured delivery time over DELIVERY_SHARE (a delivery may take that share of the time), from
 *   `batchMs` up to `maxBatchMs`, and a batch then ends at the last video frame before its deadline.
 * - An audio-only stream has no video frames to end batches: its window is the timer alone.
 */
export class BatchWindow {
  /** Smoothed time of one delivery (every player's write of one chunk), in ms. */
  #costMs = 0;
  /** The current window (ms): how long the first frame of a batch may wait. */
  #windowMs: number;
  /** Media time between video frames (ms), learnt from the stream; 0 before two video frames. */
  #videoMs = 0;
  #lastVideo: Frame | undefined;

  constructor(batchMs: number) {
    this.#windowMs = batchMs;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  get costMs(): number {
    return this.#costMs;
  }

  get videoIntervalMs(): number {
    return this.#videoMs;
  }

  /**
   * Takes one delivery's measured time and returns the timer to arm for the next batch (ms). `share`:
   * of the time, what deliveries may take (FanoutOptions.deliveryShare).
   */
  delivered(costMs: number, batchMs: number, maxBatchMs: number, share = DELIVERY_SHARE): number {
    this.#costMs = this.#costMs === 0 ? costMs : this.#costMs * (1 - SMOOTHING) + costMs * SMOOTHING;
    const max = Math.max(batchMs, maxBatchMs);
    this.#windowMs = Math.min(max, Math.max(batchMs, this.#costMs / share));
    return this.timerMs(max);
  }

  /**
   * The timer of a batch. With video, batches end at video frames and the timer is only a fallback
   * (a gap in the video), at least 1.5 video frames so that audio waits for the next video frame.
   */
  timerMs(maxBatchMs: number): number {
    if (this.#videoMs === 0) return this.#windowMs;
    return Math.min(Math.max(maxBatchMs, this.#windowMs), Math.max(this.#windowMs, this.#videoMs * 1.5));
  }

  /** Whether `frame`, just queued, ends the batch now. `waitedMs`: since the batch's first frame. */
  endsBatch(frame: Frame, waitedMs: number, queuedBytes: number): boolean {
    if (queuedBytes >= FLUSH_BYTES) return true;
    if (frame.track.kind !== "video") return false;
    const last = this.#lastVideo;
    if (last && last.track === frame.track && frame.dts > last.dts) {
      const ms = (frame.dts - last.dts) * 1000 / frame.track.clockRate;
      if (ms < 1000) this.#videoMs = this.#videoMs === 0 ? ms : this.#videoMs * 0.9 + ms * 0.1;
    }
    this.#lastVideo = frame;
    if (frame.key) return true;
    // The last video frame before the deadline ends the batch (the next one would come too late).
    return waitedMs + this.#videoMs >= this.#windowMs;
  }
}

/**
 * Share of the time one stream's deliveries may take before its window widens. A delivery is
 * measured as its synchronous work: with direct sends (net/tcp_send.ts) that is the system calls
 * themselves. Measured at 500 RTMP players (one run each): 0.05 gave 0.23× nginx-rtmp's CPU per
 * gigabit at p50/p99 37/133 ms; 0.1 gave 0.28× at 9/39 ms; 0.2 gave 0.57× at 0.6/13 ms. With direct
 * sends 0.1 sat on the edge: at 500 players a delivery takes ~3–5 ms, a 30–50 ms window, so one run
 * batched one video frame (p50 4 ms) and the next two (HTTP-FLV p50/p99 33/68 ms); 0.15 keeps
 * one frame per batch there (RTMP 0.4/8.5 ms, HTTP-FLV 0.7/36 ms) at 0.40× nginx-rtmp's CPU per
 * gigabit (0.1: 0.36×), and still widens the window from ~750 players up.
 */
export const DELIVERY_SHARE = 0.15;
/** Weight of the newest delivery in the smoothed cost. */
const SMOOTHING = 0.1;
/** A batch this large goes out at once, whatever the window (a burst of frames). */
export const FLUSH_BYTES = 64 * 1024;
