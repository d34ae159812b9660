/**
 * Live-mode receiver (draft-sharabayko-srt §4.5-4.8): a ring buffer indexed by sequence number,
 * the loss list (the holes below the highest sequence received), TSBPD release at
 * time base + timestamp + latency, and too-late drop. No sockets or timers: the connection feeds
 * packets and calls `tick(now)`; all times are microseconds.
 */
import type { SeqRange } from "./control.ts";
import { seqAdd, seqDiff } from "./sequence.ts";

export interface ReceiverOptions {
  /** The first sequence number the peer sends. */
  isn: number;
  latencyMs: number;
  /** Local time (µs) that corresponds to peer timestamp 0 (TsbpdTimeBase). */
  timeBaseUs: number;
  /** The peer timestamp of the handshake that set the time base, to start timestamp unwrapping. */
  baseTimestamp: number;
  tooLateDrop: boolean;
  /** Ring size in packets (a power of two); also what we advertise as flow window. */
  capacity?: number;
  deliver(payload: Uint8Array): void;
}

export interface ReceiverStats {
  packets: number;
  bytes: number;
  /** Sequence numbers found missing (each counted once). */
  lost: number;
  retransmitted: number;
  /** Missing packets skipped at play time (too late), or dropped on the sender's request. */
  dropped: number;
  /** Arrived after their slot was delivered or skipped. */
  belated: number;
  duplicates: number;
  undecrypted: number;
  delivered: number;
}

interface Slot {
  seq: number;
  /** Unwrapped peer timestamp (µs). */
  ts: number;
  /** Undefined when the packet must not be delivered (undecryptable, or dropped by request). */
  payload: Uint8Array | undefined;
}

const TS_WRAP = 2 ** 32;
const DRIFT_SAMPLES = 1000;
const DRIFT_MAX_US = 5000;

export class Receiver {
  readonly stats: ReceiverStats = {
    packets: 0,
    bytes: 0,
    lost: 0,
    retransmitted: 0,
    dropped: 0,
    belated: 0,
    duplicates: 0,
    undecrypted: 0,
    delivered: 0,
  };
  readonly capacity: number;
  #slots: (Slot | undefined)[];
  #mask: number;
  #opts: ReceiverOptions;
  #latencyUs: number;
  #timeBase: number;
  /** Next sequence number to deliver. */
  #head: number;
  /** Highest sequence number received. */
  #max: number;
  #ack: number;
  #lastTs: number;
  #driftSum = 0;
  #driftCount = 0;

  constructor(opts: ReceiverOptions) {
    this.#opts = opts;
    this.capacity = opts.capacity ?? 8192;
    this.#mask = this.capacity - 1;
    this.#slots = new Array(this.capacity);
    this.#latencyUs = opts.latencyMs * 1000;
    this.#timeBase = opts.timeBaseUs;
    this.#head = opts.isn;
    this.#max = seqAdd(opts.isn, -1);
    this.#ack = opts.isn;
    this.#lastTs = opts.baseTimestamp;
  }

  get latencyMs(): number {
    return this.#latencyUs / 1000;
  }

  /** Packets held (received, not yet delivered). */
  get buffered(): number {
    return seqDiff(this.#head, this.#max) + 1;
  }

  get availableBuffer(): number {
    return Math.max(0, this.capacity - this.buffered);
  }

  /**
   * Stores one data packet. `payload` undefined means it arrived but cannot be used (undecryptable).
   * Returns the range that this packet revealed as missing, for an immediate NAK.
   */
  push(
    seq: number,
    timestamp: number,
    payload: Uint8Array | undefined,
    retransmitted: boolean,
    nowUs: number,
  ): SeqRange | undefined {
    const off = seqDiff(this.#head, seq);
    if (off < 0) {
      this.stats.belated++;
      return undefined;
    }
    if (off >= this.capacity) return undefined; // beyond the window we advertised
    const i = seq & this.#mask;
    if (this.#slots[i]) {
      this.stats.duplicates++;
      return undefined;
    }
    const ts = this.#unwrap(timestamp);
    this.#slots[i] = { seq, ts, payload };
    const s = this.stats;
    s.packets++;
    if (payload) s.bytes += payload.length;
    else s.undecrypted++;
    if (retransmitted) s.retransmitted++;
    else this.#driftSample(nowUs - (this.#timeBase + ts));
    const ahead = seqDiff(this.#max, seq);
    if (ahead <= 0) return undefined;
    const from = seqAdd(this.#max, 1);
    this.#max = seq;
    if (ahead === 1) return undefined;
    s.lost += ahead - 1;
    return [from, seqAdd(seq, -1)];
  }

  /** Delivers what is due at `nowUs` in order; skips holes whose successors are due (TLPKTDROP). */
  tick(nowUs: number): void {
    const slots = this.#slots;
    const deadline = nowUs - this.#latencyUs - this.#timeBase;
    while (seqDiff(this.#head, this.#max) >= 0) {
      const i = this.#head & this.#mask;
      const slot = slots[i];
      if (slot) {
        if (slot.ts > deadline) return;
        slots[i] = undefined;
        this.#head = seqAdd(this.#head, 1);
        if (slot.payload) {
          this.stats.delivered++;
          this.#opts.deliver(slot.payload);
        }
        continue;
      }
      if (!this.#opts.tooLateDrop) return;
      const next = this.#nextPresent();
      if (!next || next.ts > deadline) return;
      this.stats.dropped += seqDiff(this.#head, next.seq);
      this.#head = next.seq;
    }
  }

  /** Delivers everything still held, in order, skipping holes (the peer has gone). */
  flush(): void {
    while (seqDiff(this.#head, this.#max) >= 0) {
      const i = this.#head & this.#mask;
      const slot = this.#slots[i];
      this.#slots[i] = undefined;
      this.#head = seqAdd(this.#head, 1);
      if (slot?.payload) {
        this.stats.delivered++;
        this.#opts.deliver(slot.payload);
      }
    }
  }

  #nextPresent(): Slot | undefined {
    for (let s = seqAdd(this.#head, 1); seqDiff(s, this.#max) >= 0; s = seqAdd(s, 1)) {
      const slot = this.#slots[s & this.#mask];
      if (slot) return slot;
    }
    return undefined;
  }

  /** The first sequence number not received (what a full or light ACK carries). */
  ackSeq(): number {
    if (seqDiff(this.#ack, this.#head) > 0) this.#ack = this.#head;
    while (seqDiff(this.#ack, this.#max) >= 0 && this.#slots[this.#ack & this.#mask]) {
      this.#ack = seqAdd(this.#ack, 1);
    }
    return this.#ack;
  }

  /** Current holes as ranges (for a periodic NAK), at most `limit` ranges. */
  lossRanges(limit = 64): SeqRange[] {
    const out: [number, number][] = [];
    let run = -1;
    for (let s = this.ackSeq(); seqDiff(s, this.#max) > 0; s = seqAdd(s, 1)) {
      if (!this.#slots[s & this.#mask]) {
        if (run >= 0) out[run][1] = s;
        else {
          if (out.length >= limit) break;
          run = out.push([s, s]) - 1;
        }
      } else run = -1;
    }
    return out;
  }

  /** The sender will not retransmit these (DROPREQ): stop waiting for them. */
  dropRange(from: number, to: number): void {
    if (seqDiff(from, to) < 0 || seqDiff(from, to) >= this.capacity) return;
    for (let s = from;; s = seqAdd(s, 1)) {
      const off = seqDiff(this.#head, s);
      if (off >= 0 && off < this.capacity && seqDiff(s, this.#max) >= 0) {
        const i = s & this.#mask;
        if (!this.#slots[i]) {
          this.#slots[i] = { seq: s, ts: this.#lastTs, payload: undefined };
          this.stats.dropped++;
        }
      }
      if (s === to) break;
    }
  }

  /** Puts a 32-bit timestamp on the 53-bit line nearest to the last one seen (wraps every 71 min). */
  #unwrap(ts: number): number {
    const epoch = this.#lastTs - (this.#lastTs % TS_WRAP);
    let v = epoch + ts;
    if (v - this.#lastTs > TS_WRAP / 2) v -= TS_WRAP;
    else if (this.#lastTs - v > TS_WRAP / 2) v += TS_WRAP;
    if (v > this.#lastTs) this.#lastTs = v;
    return v;
  }

  // Clocks drift; follow the average arrival offset once it exceeds a few ms (libsrt's drift tracer).
  #driftSample(offsetUs: number) {
    this.#driftSum += offsetUs;
    if (++this.#driftCount < DRIFT_SAMPLES) return;
    const avg = this.#driftSum / this.#driftCount;
    this.#driftSum = 0;
    this.#driftCount = 0;
    if (Math.abs(avg) > DRIFT_MAX_US) this.#timeBase += avg;
  }
}
