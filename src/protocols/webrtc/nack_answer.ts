/**
 * Answers one WHEP viewer's NACKs from the stream's shared retransmission buffer (`<rtc><nackms>`;
 * werift's own per-sender history is off, see takeOverNacks), within the viewer's budget (nack.ts),
 * and counts what it did with each lost packet.
 */
import type { Buffer } from "node:buffer";
import { NackBudget } from "./nack.ts";

/** werift's per-sender history (RTP_HISTORY_SIZE in its rtpSender), if takeOverNacks could not switch it off. */
const WERIFT_HISTORY = 128;

export interface NackCounts {
  /** Packets resent. */
  retransmits: number;
  /** NACKed packets older than the stream's retransmission window. */
  misses: number;
  /** NACKs for a packet resent less than max(40 ms, 1.5 RTT) ago: not answered. */
  recent: number;
  /** NACKs over the viewer's budget: not answered. */
  overBudget: number;
}

export class NackAnswer {
  readonly budget = new NackBudget(Date.now());
  readonly counts: NackCounts = { retransmits: 0, misses: 0, recent: 0, overBudget: 0 };

  /**
   * The lost sequence numbers of one track: each is resent with `resend` (taken from `stored`, the
   * shared buffer), skipped when werift still answers it itself, or counted as not answered.
   */
  answer(
    kind: "video" | "audio",
    sender: unknown,
    lost: readonly number[],
    stored: (seq: number) => Buffer | undefined,
    resend: (packet: Buffer) => void,
  ): void {
    // deno-lint-ignore no-explicit-any
    const s = sender as any;
    const history = s.rtpCache as ({ header: { sequenceNumber: number } } | undefined)[] | undefined;
    const rttMs = typeof s.rtt === "number" ? s.rtt * 1000 : 0;
    const now = Date.now();
    for (const n of lost) {
      const seq = n & 0xffff;
      if (history?.[seq % WERIFT_HISTORY]?.header.sequenceNumber === seq) continue;
      const verdict = this.budget.admit((kind === "video" ? 0x10000 : 0) | seq, now, rttMs);
      if (verdict === "recent") {
        this.counts.recent++;
        continue;
      }
      if (verdict === "over-budget") {
        this.counts.overBudget++;
        continue;
      }
      const buf = stored(seq);
      if (!buf) {
        this.counts.misses++;
        continue;
      }
      this.counts.retransmits++;
      resend(buf);
    }
  }
}
