/** Per-connection statistics (what /api/live shows per SRT session) and a 1-second rate meter. */

export interface SrtStats {
  rttMs: number;
  rttVarMs: number;
  latencyMs: number;
  peerLatencyMs: number;
  encrypted: boolean;
  /** Times our sending key was replaced (key refresh). */
  keyRefreshes: number;
  recv: {
    packets: number;
    bytes: number;
    lost: number;
    retransmitted: number;
    dropped: number;
    undecrypted: number;
    bitrateKbps: number;
  };
  send: {
    packets: number;
    bytes: number;
    retransmits: number;
    lossReported: number;
    dropped: number;
    inFlight: number;
    bitrateKbps: number;
  };
}

/** Bytes and packets per second, recomputed once a second from running counters. */
export class RateMeter {
  inBytes = 0;
  outBytes = 0;
  pkts = 0;
  inKbps = 0;
  outKbps = 0;
  pps = 0;
  bps = 0;
  #at: number;

  constructor(nowUs: number) {
    this.#at = nowUs;
  }

  update(nowUs: number): void {
    const dt = nowUs - this.#at;
    if (dt < 1_000_000) return;
    this.inKbps = Math.round(this.inBytes * 8000 / dt);
    this.outKbps = Math.round(this.outBytes * 8000 / dt);
    this.pps = Math.round(this.pkts * 1e6 / dt);
    this.bps = Math.round(this.inBytes * 1e6 / dt);
    this.inBytes = this.outBytes = this.pkts = 0;
    this.#at = nowUs;
  }
}
