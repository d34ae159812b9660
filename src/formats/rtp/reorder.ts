/**
 * Puts RTP packets back in sequence order within a small window and counts the ones that never
 * came. A packet is handed on with `lost` = how many packets are missing just before it.
 */
import { type RtpPacket, seqDelta } from "./packet.ts";

export interface Ordered {
  packet: RtpPacket;
  /** Packets missing right before this one (0 when contiguous). */
  lost: number;
}

export interface ReorderStats {
  received: number;
  lost: number;
  late: number;
  reordered: number;
}

/** Jumps bigger than this are a sender restart, not loss. */
const RESYNC = 3000;

export class ReorderBuffer {
  readonly stats: ReorderStats = { received: 0, lost: 0, late: 0, reordered: 0 };
  #window: number;
  #expected = -1;
  #held = new Map<number, RtpPacket>();

  /** `window` = how many later packets may arrive before a gap counts as loss (0 = no reordering). */
  constructor(window = 32) {
    this.#window = window;
  }

  push(p: RtpPacket, out: Ordered[]): void {
    this.stats.received++;
    if (this.#expected < 0) this.#expected = p.sequence;
    const d = seqDelta(this.#expected, p.sequence);
    if (d < 0) {
      if (d < -RESYNC) {
        this.#resync(p, out);
        return;
      }
      this.stats.late++;
      return;
    }
    if (d === 0) {
      this.#emit(p, 0, out);
      this.#drain(out);
      return;
    }
    if (d > RESYNC) {
      this.#resync(p, out);
      return;
    }
    if (this.#held.has(p.sequence)) {
      this.stats.late++;
      return;
    }
    this.#held.set(p.sequence, p);
    if (this.#window === 0 || this.#held.size > this.#window || d > 4 * this.#window + 64) this.#skipGap(out);
  }

  /** Gives up on the current gap: the next held packet goes on with its loss count. */
  #skipGap(out: Ordered[]): void {
    let best = -1, bestD = Infinity;
    for (const seq of this.#held.keys()) {
      const d = seqDelta(this.#expected, seq);
      if (d < bestD) {
        bestD = d;
        best = seq;
      }
    }
    if (best < 0) return;
    const p = this.#held.get(best)!;
    this.#held.delete(best);
    this.stats.lost += bestD;
    this.#expected = best;
    this.#emit(p, bestD, out);
    this.#drain(out);
  }

  #resync(p: RtpPacket, out: Ordered[]): void {
    this.flush(out);
    this.#expected = p.sequence;
    this.#emit(p, 1, out);
  }

  #emit(p: RtpPacket, lost: number, out: Ordered[]): void {
    out.push({ packet: p, lost });
    this.#expected = (p.sequence + 1) & 0xffff;
  }

  #drain(out: Ordered[]): void {
    while (this.#held.size > 0) {
      const p = this.#held.get(this.#expected);
      if (!p) return;
      this.#held.delete(this.#expected);
      this.stats.reordered++;
      this.#emit(p, 0, out);
    }
  }

  /** Releases everything held, in order, counting the gaps as loss. */
  flush(out: Ordered[]): void {
    while (this.#held.size > 0) this.#skipGap(out);
  }

  /** Highest sequence number handed on, extended with cycles (for receiver reports). */
  get expected(): number {
    return this.#expected;
  }
}
