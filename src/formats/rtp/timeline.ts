/**
 * RTP clock → hub clock. Each track's times come from its RTP timestamps (never from arrival
 * times, so network jitter does not leak in) and are rescaled from a count, so nothing drifts.
 * Tracks are aligned to each other once, at their first packet: by the sender's NTP clock when an
 * RTCP sender report came first, else by arrival time.
 */
const MOD32 = 4294967296;

/** Turns 32-bit RTP timestamps into a continuous number. */
export class TimestampUnwrapper {
  #last = -1;
  #ext = 0;

  unwrap(ts: number): number {
    if (this.#last < 0) {
      this.#last = ts;
      this.#ext = ts;
      return ts;
    }
    let d = ts - this.#last;
    if (d > MOD32 / 2) d -= MOD32;
    else if (d < -MOD32 / 2) d += MOD32;
    this.#last = ts;
    this.#ext += d;
    return this.#ext;
  }
}

/** One per session: the common origin of its tracks, in local wall-clock milliseconds. */
export class SessionClock {
  #origin: number | undefined;
  #ntpToLocal: number | undefined;
  #lead: number;

  /** `leadMs` keeps the first times positive when a track starts a little before the first one seen. */
  constructor(leadMs = 500) {
    this.#lead = leadMs;
  }

  /** Learns the offset between the sender's NTP clock and ours (from the first sender report). */
  ntpToLocal(ntpMs: number, localMs: number): number {
    if (this.#ntpToLocal === undefined) this.#ntpToLocal = localMs - ntpMs;
    return ntpMs + this.#ntpToLocal;
  }

  /** Milliseconds from the origin to a local wall-clock time (sets the origin on first use). */
  sinceOrigin(localMs: number): number {
    if (this.#origin === undefined) this.#origin = localMs - this.#lead;
    return localMs - this.#origin;
  }
}

/** One per track. */
export class TrackClock {
  readonly unwrapper = new TimestampUnwrapper();
  #session: SessionClock;
  #rtpClock: number;
  #hubClock: number;
  #first: number | undefined;
  #offset = 0;
  #sr: { wallMs: number; ext: number } | undefined;

  constructor(session: SessionClock, rtpClock: number, hubClock: number) {
    this.#session = session;
    this.#rtpClock = rtpClock;
    this.#hubClock = hubClock;
  }

  get started(): boolean {
    return this.#first !== undefined;
  }

  /** An RTCP sender report: `ntpMs` on the sender's clock matches RTP time `rtpTs`. */
  senderReport(ntpMs: number, rtpTs: number, localMs: number): void {
    const wallMs = this.#session.ntpToLocal(ntpMs, localMs);
    this.#sr = { wallMs, ext: this.unwrapper.unwrap(rtpTs) };
  }

  /** Hub time (track clock ticks) of an unwrapped RTP timestamp. */
  toHub(ext: number, arrivalMs: number): number {
    if (this.#first === undefined) {
      this.#first = ext;
      const wall = this.#sr ? this.#sr.wallMs + ((ext - this.#sr.ext) * 1000) / this.#rtpClock : arrivalMs;
      const ms = Math.max(0, this.#session.sinceOrigin(wall));
      this.#offset = Math.round((ms * this.#hubClock) / 1000);
    }
    return this.#offset + rescale(ext - this.#first, this.#rtpClock, this.#hubClock);
  }
}

/** value × to / from, rounded once; splits whole periods off so large counts stay exact. */
export function rescale(value: number, from: number, to: number): number {
  if (from === to) return value;
  const q = Math.floor(value / from);
  const r = value - q * from;
  return q * to + Math.round((r * to) / from);
}
