/**
 * Round-trip time (draft-sharabayko-srt §4.10): the receiver times each full ACK until its ACKACK;
 * the sender smooths the RTT its peer reports in ACKs. RTT = 7/8 RTT + 1/8 rtt,
 * RTTVar = 3/4 RTTVar + 1/4 |RTT - rtt|; 100 ms / 50 ms until the first sample.
 */
export class RttEstimator {
  rttUs = 100_000;
  varUs = 50_000;
  #sampled = false;
  #ackNo = 0;
  #pending: { no: number; at: number; seq: number }[] = [];

  /** Numbers a full ACK of `seq` sent at `now` (1, 2, … wrapping below 2^31). */
  nextAck(now: number, seq = 0): number {
    const no = this.#ackNo = (this.#ackNo % 0x7fffffff) + 1;
    this.#pending.push({ no, at: now, seq });
    if (this.#pending.length > 64) this.#pending.shift();
    return no;
  }

  /** An ACKACK for ACK `no`: one RTT sample. Returns the sequence that ACK carried, or undefined. */
  onAckAck(no: number, now: number): number | undefined {
    const i = this.#pending.findIndex((a) => a.no === no);
    if (i < 0) return undefined;
    const { at, seq } = this.#pending[i];
    const sample = now - at;
    this.#pending.splice(0, i + 1);
    if (!this.#sampled) {
      this.#sampled = true;
      this.rttUs = sample;
      this.varUs = sample / 2;
    } else {
      this.varUs = Math.round((this.varUs * 3 + Math.abs(this.rttUs - sample)) / 4);
      this.rttUs = Math.round((this.rttUs * 7 + sample) / 8);
    }
    return seq;
  }

  /** The peer's estimate from a full ACK. */
  fromPeer(rttUs: number, varUs: number): void {
    if (rttUs <= 0) return;
    this.rttUs = Math.round((this.rttUs * 7 + rttUs) / 8);
    this.varUs = Math.round((this.varUs * 3 + varUs) / 4);
  }

  /** RTT + 4 × RTTVar: how long an answer may reasonably take. */
  get timeoutUs(): number {
    return this.rttUs + 4 * this.varUs;
  }
}
