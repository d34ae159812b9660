/**
 * What the RTCP sender reports of a WHEP session say (RFC 3550 §6.4.1): an NTP time paired with an
 * RTP time, per track, from which a receiver lines audio and video up. werift pairs the RTP time of
 * the last packet sent with the moment it was sent, so any difference in when audio and video leave
 * (a publisher that sends one ahead of the other, the audio transcoder's 20 ms frames) would reach
 * the viewer as A/V offset. Here the NTP time of a packet is the media time of its frame on one clock
 * per session: the wall clock when the session's first frame went out, plus the frame's pts since.
 * Both tracks of a stream share the source's timeline (a transcoded track keeps it), so a receiver
 * that syncs by the reports plays them as the source had them.
 */
import type { Frame } from "../../core/mod.ts";

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET = 2_208_988_800;

/** The 64-bit NTP timestamp (32.32 fixed point) of Unix time `seconds`. */
export function ntpOf(seconds: number): bigint {
  const s = seconds + NTP_UNIX_OFFSET;
  const whole = Math.floor(s);
  const fraction = Math.min(0xffffffff, Math.round((s - whole) * 2 ** 32));
  return (BigInt(whole) << 32n) | BigInt(fraction);
}

/** The sender-side fields of a werift RTCRtpSender that its sender reports are built from. */
export interface SenderReportFields {
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  timestampOffset?: number;
}

export class SenderClock {
  #anchor: { wall: number; media: number } | undefined;
  readonly #now: () => number;

  /** `now`: Unix time in seconds (the wall clock; tests pass their own). */
  constructor(now: () => number = () => Date.now() / 1000) {
    this.#now = now;
  }

  /** The session's time of a frame, in Unix seconds. */
  at(frame: Frame): number {
    const media = frame.pts / frame.track.clockRate;
    this.#anchor ??= { wall: this.#now(), media };
    return this.#anchor.wall + media - this.#anchor.media;
  }

  /**
   * After a frame's last packet went to `sender`: its next sender report pairs that packet's RTP time
   * with the frame's time. Nothing changes when the sender did not take the packet (its last RTP time
   * is another one).
   */
  stamp(sender: SenderReportFields, lastPacket: Uint8Array, frame: Frame): void {
    const ts = new DataView(lastPacket.buffer, lastPacket.byteOffset, lastPacket.byteLength).getUint32(4);
    if (((ts + (sender.timestampOffset ?? 0)) >>> 0) !== sender.rtpTimestamp >>> 0) return;
    sender.ntpTimestamp = ntpOf(this.at(frame));
  }
}
