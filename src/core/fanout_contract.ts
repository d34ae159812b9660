/**
 * What a fan-out works with: a format's muxer, a player's sink, and the options (batch window,
 * delivery share, per-player limits) with their defaults. The engine is fanout.ts.
 */
import type { Frame } from "./frame.ts";

/**
 * Turns frames into a format's bytes ONCE per stream. `mux` appends the bytes of one frame (and
 * of any sequence header a track change needs) to `out`. `header` is what a joining player needs
 * before the shared bytes (file header, metadata, sequence headers of the current tracks).
 */
export interface FanoutMuxer {
  mux(frame: Frame, out: Uint8Array[]): void;
  header(): Uint8Array;
}

/** A player's connection. `write` must write all bytes; its promise settles when they are out. */
export interface FanoutSink {
  write(bytes: Uint8Array): Promise<unknown>;
  /**
   * Puts bytes on the socket now if it can (net/tcp_send.ts): how many went (the caller `write`s
   * the rest at once), or -1 when it cannot now (a write in flight, TLS, no FFI): then `write` all.
   */
  trySend?(bytes: Uint8Array): number;
  /** Called once when the fan-out gives up on this player (too slow, or stream ended). */
  close(reason: string): void;
}

export interface FanoutOptions {
  /**
   * The narrowest batch window (ms). Batches end at video frames (see BatchWindow); this is how long
   * the first frame of a batch may wait while deliveries are cheap (audio-only streams: the window).
   * 0 writes every frame at once.
   */
  batchMs: number;
  /**
   * The widest batch window. Every chunk costs one write per player, so when a delivery gets
   * expensive (many players, a busy loop) the window widens up to this; latency grows with it.
   */
  maxBatchMs?: number;
  /**
   * Share of this process's time one delivery may take before the window widens (DELIVERY_SHARE).
   * With `<workers>` N each worker has 1/N of the players and measures 1/N of the cost, so its share
   * is DELIVERY_SHARE / N: every worker then batches as one process with all the players would, and
   * more workers add capacity without adding writes per player.
   */
  deliveryShare?: number;
  /** Per-player backlog bound; past it the player drops to the next keyframe chunk. */
  maxQueueBytes: number;
  /** Players that overflow more than this many times are disconnected. */
  maxDrops: number;
  /** A write pending longer than this disconnects the player (a vanished peer). */
  stallMs: number;
  /** Joining players start with the current GOP (gopenable); otherwise at the next keyframe. */
  fastStart: boolean;
}

/**
 * The player fan-outs' options where a server's options leave them out: the services pass the batch
 * window, delivery share and fast start from the config, and the RTMP, RTSP and SRT players keep these
 * limits (8 MiB of backlog per player, 3 drops to a keyframe, 10 s of a stalled write).
 */
export const FANOUT_DEFAULTS: FanoutOptions = {
  batchMs: 20,
  maxQueueBytes: 8 * 1024 * 1024,
  maxDrops: 3,
  stallMs: 10_000,
  fastStart: true,
};
