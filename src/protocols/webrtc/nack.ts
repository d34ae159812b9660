/**
 * What a WHEP viewer's NACKs may cost. A receiver NACKs a missing packet again every few
 * milliseconds until it arrives (werift every 5 ms, up to 10 times); when the viewer or the server
 * is starved of CPU, whole frames look lost, NACKs pile up, and answering each one again fills the
 * very queues that caused the loss (a NACK storm). So per viewer:
 * - a packet is resent at most once per max(RESEND_GAP_MS, 1.5 × the viewer's RTT): the previous
 *   copy may still be on its way;
 * - resends are budgeted per second: the larger of NACK_FLOOR_PER_S packets and NACK_SHARE of the
 *   packets sent to that viewer in the last second, as a token bucket holding one second's worth;
 * - packets older than the stream's retransmission window are not there to resend (rtp_out.ts).
 */

/** A packet is resent at most this often (or 1.5 RTT, if longer). */
export const RESEND_GAP_MS = 40;
/** The budget never falls below this many resends per second (an audio-only or quiet stream). */
export const NACK_FLOOR_PER_S = 100;
/** Resends per second may reach this share of the packets sent to the viewer in the last second. */
export const NACK_SHARE = 0.5;

/** Why a NACKed packet is not resent now. */
export type NackVerdict = "resend" | "recent" | "over-budget";

export class NackBudget {
  /** When each recently resent packet (key: kind bit + sequence number) went out. */
  #resent = new Map<number, number>();
  #tokens = NACK_FLOOR_PER_S;
  #refilled: number;
  /** Packets sent in the current and the previous whole second. */
  #second: number;
  #sentThis = 0;
  #sentLast = 0;

  constructor(now: number) {
    this.#refilled = now;
    this.#second = Math.floor(now / 1000);
  }

  /** Counts packets sent to the viewer (the budget follows the stream's rate). */
  sent(count: number, now: number): void {
    this.#roll(now);
    this.#sentThis += count;
  }

  /** Resends allowed per second now. */
  rate(now: number): number {
    this.#roll(now);
    // The second under way counts too, so a new viewer's budget follows its stream from the start.
    return Math.max(NACK_FLOOR_PER_S, NACK_SHARE * Math.max(this.#sentLast, this.#sentThis));
  }

  /** Whether to resend the packet `key` now; a "resend" takes one token and starts its gap. */
  admit(key: number, now: number, rttMs = 0): NackVerdict {
    const gap = Math.max(RESEND_GAP_MS, 1.5 * rttMs);
    const last = this.#resent.get(key);
    if (last !== undefined && now - last < gap) return "recent";
    const rate = this.rate(now);
    this.#tokens = Math.min(rate, this.#tokens + (now - this.#refilled) * rate / 1000);
    this.#refilled = now;
    if (this.#tokens < 1) return "over-budget";
    this.#tokens -= 1;
    if (this.#resent.size >= 4096) {
      for (const [k, at] of this.#resent) if (now - at >= gap) this.#resent.delete(k);
    }
    this.#resent.set(key, now);
    return "resend";
  }

  #roll(now: number) {
    const s = Math.floor(now / 1000);
    if (s === this.#second) return;
    this.#sentLast = s === this.#second + 1 ? this.#sentThis : 0;
    this.#sentThis = 0;
    this.#second = s;
  }
}
