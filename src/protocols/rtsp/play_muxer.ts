/**
 * The RTSP FanoutMuxer: frames → `$`-framed RTP (and RTCP sender reports), built once per stream
 * per channel layout. Every player of a layout shares SSRCs, sequence numbers and timestamp bases,
 * so the bytes are shareable; UDP players get the same chunks unframed (see UdpPlayerSink).
 */
import type { FanoutMuxer, FanoutSink } from "../../core/fanout.ts";
import type { Frame } from "../../core/frame.ts";
import type { Track } from "../../core/track.ts";
import { rescale } from "../../core/frame.ts";
import { RtpPacketizer } from "../../formats/rtp/packetizer.ts";
import { buildSenderReport } from "../../formats/rtp/rtcp.ts";
import type { UdpAddr, UdpPair } from "./udp.ts";

export interface PlaySlot {
  track: Track;
  /** RTP channel; RTCP uses channel + 1. */
  channel: number;
  payloadType: number;
}

/** Where a player's RTP/RTCP for one slot begins: what RTP-Info announces. */
export interface StartInfo {
  seq: number;
  rtptime: number;
}

/** The Stream.shared() id of a layout: players with equal ids can share bytes. */
export function layoutId(slots: readonly PlaySlot[]): string {
  return "rtsp:" +
    slots.map((s) => `${s.track.codec}/${s.track.clockRate}@${s.channel}#${s.payloadType}`).join(",");
}

const EMPTY = new Uint8Array(0);
const SR_EVERY_MS = 5000;

interface SlotState {
  slot: PlaySlot;
  packetizer: RtpPacketizer;
  start: StartInfo | undefined;
  lastSrMs: number;
}

export class RtpFanoutMuxer implements FanoutMuxer {
  #slots: SlotState[];
  #video: SlotState | undefined;
  #audio: SlotState | undefined;
  #hasVideo: () => boolean;
  /** Media time (s) ↔ wall clock (ms) for sender reports, fixed at the first frame. */
  #anchor: { wallMs: number; mediaS: number } | undefined;
  #lastMediaS = 0;

  constructor(slots: readonly PlaySlot[], o: { mtu: number; streamHasVideo: () => boolean }) {
    this.#hasVideo = o.streamHasVideo;
    this.#slots = slots.map((slot) => ({
      slot,
      packetizer: new RtpPacketizer(slot.track, {
        payloadType: slot.payloadType,
        ssrc: random32(),
        mtu: o.mtu,
        sequence: random32() & 0x7fff,
        timestampBase: random32(),
      }),
      start: undefined,
      lastSrMs: -Infinity,
    }));
    this.#video = this.#slots.find((s) => s.slot.track.kind === "video");
    this.#audio = this.#slots.find((s) => s.slot.track.kind === "audio");
  }

  ssrc(i: number): number {
    return this.#slots[i].packetizer.ssrc;
  }

  header(): Uint8Array {
    return EMPTY;
  }

  /** Per slot: the first packet a player joining now receives (the GOP start, or the next packet). */
  startInfo(): StartInfo[] {
    return this.#slots.map((s) =>
      s.start ?? {
        seq: s.packetizer.nextSequence,
        rtptime: s.packetizer.timestamp(Math.round(this.#lastMediaS * s.packetizer.clockRate)),
      }
    );
  }

  mux(frame: Frame, out: Uint8Array[]): void {
    const t = frame.track;
    const s = t.kind === "video" ? this.#video : this.#audio;
    const mediaS = frame.pts / t.clockRate;
    this.#anchor ??= { wallMs: Date.now(), mediaS };
    this.#lastMediaS = mediaS;
    const restart = frame.key && (t.kind === "video" || !this.#hasVideo());
    if (restart) {
      // Everyone joining from here starts at this instant: note it and tell the time in SRs.
      for (const o of this.#slots) {
        const at = rescale(frame.pts, t.clockRate, o.packetizer.clockRate);
        o.start = { seq: o.packetizer.nextSequence, rtptime: o.packetizer.timestamp(at) };
        if (t.kind === "video" || mediaS * 1000 - o.lastSrMs >= 1000) this.#senderReport(o, at, mediaS, out);
      }
    } else if (s && mediaS * 1000 - s.lastSrMs >= SR_EVERY_MS) {
      this.#senderReport(s, frame.pts, mediaS, out);
    }
    if (!s || s.slot.track.codec !== t.codec || s.slot.track.clockRate !== t.clockRate) return;
    const bytes = s.packetizer.interleaved(frame, s.slot.channel);
    if (bytes.length > 0) out.push(bytes);
  }

  #senderReport(s: SlotState, at: number, mediaS: number, out: Uint8Array[]): void {
    const a = this.#anchor!;
    const sr = buildSenderReport({
      ssrc: s.packetizer.ssrc,
      wallMs: a.wallMs + (mediaS - a.mediaS) * 1000,
      rtpTimestamp: s.packetizer.timestamp(at),
      packetCount: s.packetizer.packetCount,
      octetCount: s.packetizer.octetCount,
    });
    const b = new Uint8Array(4 + sr.length);
    b[0] = 0x24;
    b[1] = s.slot.channel + 1;
    b[2] = sr.length >> 8;
    b[3] = sr.length & 0xff;
    b.set(sr, 4);
    out.push(b);
    s.lastSrMs = mediaS * 1000;
  }
}

function random32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** Destinations of one UDP player, indexed by interleaved channel (RTP even, RTCP odd). */
export interface UdpTarget {
  pair: UdpPair;
  rtp: UdpAddr;
  rtcp: UdpAddr;
}

/** Sends shared `$`-framed chunks as datagrams: views into the chunk, one send per packet. */
export class UdpPlayerSink implements FanoutSink {
  #targets: (UdpTarget | undefined)[];
  #onClose: (reason: string) => void;
  #totals: { bytesOut: number } | undefined;
  readonly #direct: boolean;

  constructor(
    targets: (UdpTarget | undefined)[],
    onClose: (reason: string) => void,
    totals?: { bytesOut: number },
  ) {
    this.#targets = targets;
    this.#onClose = onClose;
    this.#totals = totals;
    this.#direct = targets.every((t) => !t || t.pair.direct);
  }

  /**
   * Every datagram of the chunk now, one system call each (UdpPair.sendNow), when every target's
   * pair can: the chunk's length; else -1 (then `write`).
   */
  trySend(bytes: Uint8Array): number {
    if (!this.#direct) return -1;
    this.#each(bytes, this.#sendNow);
    return bytes.length;
  }

  #sendNow = (t: UdpTarget, data: Uint8Array, rtcp: boolean) => {
    t.pair.sendNow(data, rtcp ? t.rtcp : t.rtp, rtcp);
  };

  write(bytes: Uint8Array): Promise<unknown> {
    const sends: Promise<number>[] = [];
    this.#each(bytes, (t, data, rtcp) => {
      sends.push(rtcp ? t.pair.sendRtcp(data, t.rtcp) : t.pair.sendRtp(data, t.rtp));
    });
    return Promise.all(sends);
  }

  /** Each `$`-framed packet of a chunk with its target (channels without one are skipped). */
  #each(bytes: Uint8Array, send: (t: UdpTarget, data: Uint8Array, rtcp: boolean) => void): void {
    if (this.#totals) this.#totals.bytesOut += bytes.length;
    for (let o = 0; o + 4 <= bytes.length;) {
      const ch = bytes[o + 1];
      const len = (bytes[o + 2] << 8) | bytes[o + 3];
      const target = this.#targets[ch >> 1];
      if (target) send(target, bytes.subarray(o + 4, o + 4 + len), (ch & 1) === 1);
      o += 4 + len;
    }
  }

  close(reason: string): void {
    this.#onClose(reason);
  }
}
