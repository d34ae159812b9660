/**
 * Live-mode sender (draft-sharabayko-srt §4.8): the send buffer, retransmission of NAKed packets
 * (before any new packet), the peer's flow window and too-late drop. Packets are encoded (and
 * encrypted) once by the connection's `encode`; a retransmission resends the same bytes with R set.
 * No sockets or timers; all times are microseconds.
 */
import type { SeqRange } from "./control.ts";
import { setRetransmitted } from "./packet.ts";
import { msgNext, seqAdd, seqDiff } from "./sequence.ts";

export interface SenderOptions {
  isn: number;
  /** The peer's receive latency: packets older than max(1 s, 1.25 × latency) are dropped. */
  peerLatencyMs: number;
  /** Maximum packets in flight (the peer's handshake Maximum Flow Window Size). */
  flowWindow: number;
  tooLateDrop: boolean;
  encode(seq: number, msgNo: number, submitUs: number, payload: Uint8Array): Uint8Array;
}

export interface SenderStats {
  packets: number;
  bytes: number;
  retransmits: number;
  /** Packets the peer reported lost. */
  lossReported: number;
  /** Dropped unacknowledged because they were too late to matter. */
  dropped: number;
}

interface Entry {
  seq: number;
  submitUs: number;
  packet: Uint8Array;
  /** -1 = never sent. */
  lastSentUs: number;
  /** Last retransmission (-Infinity = none): a NAK repeated within one RTT must not resend it again. */
  resentUs: number;
}

/** What a released slot of the send buffer holds until the buffer is compacted (not the packet). */
const RELEASED: Entry = { seq: 0, submitUs: 0, packet: new Uint8Array(0), lastSentUs: 0, resentUs: 0 };

export class Sender {
  readonly stats: SenderStats = { packets: 0, bytes: 0, retransmits: 0, lossReported: 0, dropped: 0 };
  #opts: SenderOptions;
  #buf: Entry[] = [];
  #first = 0; // index of the oldest entry in #buf
  #firstSeq: number;
  #nextSeq: number;
  #msgNo = 0;
  /** Index (relative to #first) of the next never-sent entry. */
  #unsent = 0;
  #loss: number[] = [];
  #window: number;
  #dropUs: number;

  constructor(opts: SenderOptions) {
    this.#opts = opts;
    this.#firstSeq = opts.isn;
    this.#nextSeq = opts.isn;
    this.#window = opts.flowWindow;
    this.#dropUs = Math.max(1000, opts.peerLatencyMs * 1.25) * 1000;
  }

  /** Entries held (sent and not acknowledged, or waiting for the window). */
  get buffered(): number {
    return this.#buf.length - this.#first;
  }

  /** Packets the send buffer still references (released ones must not stay: see #forget). */
  get heldPackets(): number {
    let n = 0;
    for (const e of this.#buf) if (e !== RELEASED) n++;
    return n;
  }

  get unsent(): number {
    return this.buffered - this.#unsent;
  }

  get inFlight(): number {
    return this.#unsent;
  }

  /** Queues one payload (one message); returns its sequence number. */
  push(payload: Uint8Array, nowUs: number): number {
    const seq = this.#nextSeq;
    this.#msgNo = msgNext(this.#msgNo);
    this.#buf.push({
      seq,
      submitUs: nowUs,
      packet: this.#opts.encode(seq, this.#msgNo, nowUs, payload),
      lastSentUs: -1,
      resentUs: -Infinity,
    });
    this.#nextSeq = seqAdd(seq, 1);
    return seq;
  }

  /**
   * The next datagram to send: a lost packet first (unless resent within `resendGapUs`), then a
   * new one if the flow window allows. Undefined when nothing may go now.
   */
  next(nowUs: number, resendGapUs: number): Uint8Array | undefined {
    while (this.#loss.length > 0) {
      const seq = this.#loss[0];
      const e = this.#entry(seq);
      if (!e || e.lastSentUs < 0) {
        this.#loss.shift();
        continue;
      }
      if (nowUs - e.resentUs < resendGapUs) break; // the last resend may still arrive
      this.#loss.shift();
      e.lastSentUs = e.resentUs = nowUs;
      this.stats.retransmits++;
      const copy = e.packet.slice();
      setRetransmitted(copy, true);
      return copy;
    }
    if (this.#unsent >= this.buffered || this.#unsent >= this.#window) return undefined;
    const e = this.#buf[this.#first + this.#unsent++];
    e.lastSentUs = nowUs;
    this.stats.packets++;
    this.stats.bytes += e.packet.length;
    return e.packet;
  }

  /** An ACK: everything before `ackSeq` arrived (or was skipped by the receiver). */
  onAck(ackSeq: number, availableBuffer?: number): void {
    const n = seqDiff(this.#firstSeq, ackSeq);
    if (n > 0) this.#release(Math.min(n, this.#unsent));
    if (availableBuffer !== undefined) {
      this.#window = Math.max(2, Math.min(this.#opts.flowWindow, availableBuffer));
    }
    if (this.#loss.length && seqDiff(this.#loss[0], this.#firstSeq) > 0) {
      this.#loss = this.#loss.filter((s) => seqDiff(this.#firstSeq, s) >= 0);
    }
  }

  /** A NAK: queues the reported packets we still hold; returns ranges we no longer have (DROPREQ). */
  onNak(ranges: readonly SeqRange[]): SeqRange[] {
    const gone: SeqRange[] = [];
    const sentEnd = seqAdd(this.#firstSeq, this.#unsent);
    for (const [from, to] of ranges) {
      const span = seqDiff(from, to);
      if (span < 0 || span > 1 << 20) continue;
      this.stats.lossReported += span + 1;
      for (let k = 0, s = from; k <= span; k++, s = seqAdd(s, 1)) {
        if (seqDiff(s, sentEnd) <= 0) break; // never sent: a bogus report
        if (seqDiff(this.#firstSeq, s) < 0) {
          const last = gone[gone.length - 1];
          if (last && seqAdd(last[1], 1) === s) gone[gone.length - 1] = [last[0], s];
          else gone.push([s, s]);
          continue;
        }
        this.#addLoss(s);
      }
    }
    return gone;
  }

  /** Marks every packet sent more than `ageUs` ago and still unacknowledged as lost (no NAKs from the peer). */
  resendUnacked(nowUs: number, ageUs: number): number {
    let n = 0;
    for (let k = 0; k < this.#unsent; k++) {
      const e = this.#buf[this.#first + k];
      if (nowUs - e.lastSentUs > ageUs) {
        this.#addLoss(e.seq);
        n++;
      }
    }
    return n;
  }

  /** Drops packets too old to be played by the peer; returns how many were never acknowledged. */
  dropTooLate(nowUs: number): number {
    if (!this.#opts.tooLateDrop) return 0;
    let n = 0;
    const buf = this.#buf;
    while (this.#first + n < buf.length && nowUs - buf[this.#first + n].submitUs > this.#dropUs) n++;
    if (n === 0) return 0;
    this.#unsent = Math.max(0, this.#unsent - n);
    this.#forget(n);
    this.#first += n;
    this.#firstSeq = seqAdd(this.#firstSeq, n);
    this.stats.dropped += n;
    this.#compact();
    return n;
  }

  #release(n: number) {
    this.#forget(n);
    this.#first += n;
    this.#unsent -= n;
    this.#firstSeq = seqAdd(this.#firstSeq, n);
    this.#compact();
  }

  /**
   * Lets go of the next `n` entries' packets: the array keeps its released slots until it is
   * compacted (up to ~2,000 of them), and holding their packets cost ~1.3 MB per connection.
   */
  #forget(n: number) {
    const buf = this.#buf;
    for (let i = this.#first, end = this.#first + n; i < end; i++) buf[i] = RELEASED;
  }

  #compact() {
    if (this.#first > 1024 && this.#first * 2 > this.#buf.length) {
      this.#buf = this.#buf.slice(this.#first);
      this.#first = 0;
    }
  }

  #entry(seq: number): Entry | undefined {
    const k = seqDiff(this.#firstSeq, seq);
    return k >= 0 && k < this.buffered ? this.#buf[this.#first + k] : undefined;
  }

  #addLoss(seq: number) {
    const loss = this.#loss;
    // Keep the list sorted (oldest first); NAKs mostly append.
    let i = loss.length;
    while (i > 0 && seqDiff(loss[i - 1], seq) < 0) i--;
    if (i > 0 && loss[i - 1] === seq) return;
    loss.splice(i, 0, seq);
  }
}
