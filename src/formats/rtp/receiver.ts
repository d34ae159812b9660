/**
 * The whole receive path of one RTP track: reorder → unwrap → depacketize → hub times (with decode
 * times for reordered video) → Frames. Also keeps what an RTCP receiver report needs.
 */
import type { Frame } from "../../core/frame.ts";
import type { Track } from "../../core/track.ts";
import {
  createDepacketizer,
  type Depacketizer,
  type DepacketizerOptions,
  type RtpUnit,
} from "./depacketizer.ts";
import { DtsExtractor } from "./dts.ts";
import { type Ordered, ReorderBuffer } from "./reorder.ts";
import { h264ReorderDepth } from "../../codecs/h264.ts";
import { h265ReorderDepth } from "../../codecs/h265.ts";
import type { ReportBlock, SenderReport } from "./rtcp.ts";
import type { RtpPacket } from "./packet.ts";
import { type SessionClock, TrackClock } from "./timeline.ts";

export interface ReceiverOptions extends DepacketizerOptions {
  session: SessionClock;
  /** Packets a gap may wait for reordering (0 over TCP, where order is guaranteed). */
  reorderWindow: number;
}

export interface ReceiverStats {
  packets: number;
  lost: number;
  frames: number;
  dropped: number;
}

interface MutableFrame {
  track: Track;
  dts: number;
  pts: number;
  key: boolean;
  data: Uint8Array;
}

export class RtpReceiver {
  readonly #depacketizer: Depacketizer;
  readonly #reorder: ReorderBuffer;
  readonly #clock: TrackClock;
  readonly #rtpClock: number;
  #dts: DtsExtractor<MutableFrame> | undefined;
  #dtsTrack: Track | undefined;
  #ordered: Ordered[] = [];
  #units: RtpUnit[] = [];
  // Receiver report state (RFC 3550 A.3, A.8).
  #ssrc: number | undefined;
  #baseSeq = -1;
  #cycles = 0;
  #maxSeq = -1;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #jitter = 0;
  #transit: number | undefined;
  #lastSr: { middle: number; atMs: number } | undefined;

  constructor(o: ReceiverOptions) {
    this.#depacketizer = createDepacketizer(o);
    this.#reorder = new ReorderBuffer(o.reorderWindow);
    this.#rtpClock = o.rtpClock;
    const hubClock = o.track?.clockRate ?? (o.codec === "h264" || o.codec === "h265" ? 90000 : o.rtpClock);
    this.#clock = new TrackClock(o.session, o.rtpClock, hubClock);
  }

  /** The current track; undefined for video until its parameter sets are known. */
  get track(): Track | undefined {
    return this.#depacketizer.track;
  }

  get ssrc(): number | undefined {
    return this.#ssrc;
  }

  get stats(): ReceiverStats {
    const d = this.#depacketizer.stats;
    return {
      packets: this.#reorder.stats.received,
      lost: this.#reorder.stats.lost,
      frames: d.units,
      dropped: d.dropped,
    };
  }

  /**
   * Feeds one packet; appends finished frames to `out`. Throws ProtocolError for a malformed
   * payload (the caller counts it and carries on: the next keyframe repairs the track).
   */
  push(p: RtpPacket, arrivalMs: number, out: Frame[]): void {
    this.#ssrc ??= p.ssrc;
    this.#jitterUpdate(p.timestamp, arrivalMs);
    const ordered = this.#ordered;
    ordered.length = 0;
    this.#reorder.push(p, ordered);
    let error: unknown;
    for (const o of ordered) {
      this.#countSeq(o.packet.sequence);
      const ext = this.#clock.unwrapper.unwrap(o.packet.timestamp);
      const units = this.#units;
      units.length = 0;
      try {
        this.#depacketizer.push(o.packet, ext, o.lost, units);
      } catch (err) {
        error ??= err;
      }
      for (const u of units) this.#frame(u, arrivalMs, out);
    }
    if (error) throw error;
  }

  #frame(u: RtpUnit, arrivalMs: number, out: Frame[]): void {
    const pts = this.#clock.toHub(u.timestamp, arrivalMs);
    const f: MutableFrame = { track: u.track, dts: pts, pts, key: u.key, data: u.data };
    if (u.track.kind !== "video") {
      out.push(f);
      return;
    }
    if (u.track !== this.#dtsTrack) {
      const t = u.track;
      const depth = t.codec === "h264"
        ? h264ReorderDepth(t.sps)
        : t.codec === "h265"
        ? h265ReorderDepth(t.sps)
        : 0;
      if (!this.#dts) this.#dts = new DtsExtractor(depth);
      else if (depth !== this.#dts.depth) {
        this.#dts.flush(out as MutableFrame[]);
        this.#dts.setDepth(depth);
      }
      this.#dtsTrack = t;
    }
    this.#dts!.push(f, out as MutableFrame[]);
  }

  /** Frames still held for decode-time look-ahead (at the end of the stream). */
  flush(out: Frame[]): void {
    const ordered = this.#ordered;
    ordered.length = 0;
    this.#reorder.flush(ordered);
    for (const o of ordered) {
      const units: RtpUnit[] = [];
      try {
        this.#depacketizer.push(o.packet, this.#clock.unwrapper.unwrap(o.packet.timestamp), o.lost, units);
      } catch { /* end of stream: a broken tail is dropped */ }
      for (const u of units) this.#frame(u, Date.now(), out);
    }
    this.#dts?.flush(out as MutableFrame[]);
  }

  senderReport(sr: SenderReport, localMs: number): void {
    this.#clock.senderReport(sr.ntpMs, sr.rtpTimestamp, localMs);
    this.#lastSr = { middle: sr.ntpMiddle, atMs: localMs };
  }

  #countSeq(seq: number): void {
    this.#received++;
    if (this.#baseSeq < 0) {
      this.#baseSeq = seq;
      this.#maxSeq = seq;
      return;
    }
    if (seq < this.#maxSeq && this.#maxSeq - seq > 0x8000) this.#cycles += 0x10000;
    if (((seq - this.#maxSeq) & 0xffff) < 0x8000) this.#maxSeq = seq;
  }

  #jitterUpdate(ts: number, arrivalMs: number): void {
    const arrival = (arrivalMs * this.#rtpClock) / 1000;
    const transit = arrival - ts;
    if (this.#transit !== undefined) {
      let d = Math.abs(transit - this.#transit);
      if (d > 2 ** 31) d = Math.abs(d - 2 ** 32);
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#transit = transit;
  }

  /** One receiver report block, or undefined before the first packet. */
  reportBlock(nowMs: number): ReportBlock | undefined {
    if (this.#ssrc === undefined || this.#baseSeq < 0) return undefined;
    const extMax = this.#cycles + this.#maxSeq;
    const expected = extMax - this.#baseSeq + 1;
    const lost = Math.max(0, expected - this.#received);
    const expInterval = expected - this.#expectedPrior;
    const recvInterval = this.#received - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const lostInterval = expInterval - recvInterval;
    return {
      ssrc: this.#ssrc,
      fractionLost: expInterval <= 0 || lostInterval <= 0
        ? 0
        : Math.floor((lostInterval * 256) / expInterval),
      cumulativeLost: Math.min(lost, 0x7fffff),
      highestSeq: extMax >>> 0,
      jitter: Math.round(this.#jitter) >>> 0,
      lastSr: this.#lastSr?.middle ?? 0,
      delaySinceLastSr: this.#lastSr ? Math.round(((nowMs - this.#lastSr.atMs) / 1000) * 65536) >>> 0 : 0,
    };
  }
}
