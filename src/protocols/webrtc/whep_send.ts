/**
 * How a WHEP viewer's frames leave: the stream's shared RTP packets (rtp_out.ts) of the tracks the
 * viewer negotiated, straight onto the ICE pair's socket once SRTP is ours (direct_send.ts) or through
 * werift otherwise, large frames paced, each frame's last packet stamped for the sender reports.
 */
import type { Buffer } from "node:buffer";
import type { RTCRtpSender } from "werift";
import type { Frame } from "../../core/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { RtpCodec } from "./codecs.ts";
import { DirectRtpSender } from "./direct_send.ts";
import type { WebrtcRtpOut } from "./rtp_out.ts";
import { SenderClock, type SenderReportFields } from "./sender_clock.ts";
import type { WebrtcSettings } from "./settings.ts";
import type { SrtpEncryptor } from "./srtp.ts";

/** Packets sent back to back before a pause of PACE_GAP_MS (about 29 KB: at most ~230 Mbit/s per viewer). */
const PACE_BURST = 24;
const PACE_GAP_MS = 1;

const ignore = () => {};

/** One negotiated track of a viewer. */
export interface Out {
  sender: RTCRtpSender;
  codec: RtpCodec;
  /** The stream track codec it carries (Track.codec spelling). */
  track: string;
  /** Sends the shared packets past werift's per-packet copies (direct_send.ts); null: werift's path. */
  direct?: DirectRtpSender | null;
}

export function outOf(sender: RTCRtpSender, codec: RtpCodec): Out {
  return { sender, codec, track: codec.mimeType.slice(codec.mimeType.indexOf("/") + 1).toLowerCase() };
}

export class WhepSender {
  video: Out | undefined;
  audio: Out | undefined;
  packets = 0;
  bytes = 0;
  frames = 0;
  #srtp: SrtpEncryptor | undefined;
  #bframesLogged = false;
  /** What the sender reports map RTP time to: the frames' media time, one clock for both tracks. */
  #clock = new SenderClock();

  constructor(
    private readonly log: Logger,
    private readonly streamKey: string,
    private readonly bframes: WebrtcSettings["bframes"],
    /** False once the session has ended: a paced send stops between bursts. */
    private readonly live: () => boolean,
  ) {}

  /** SRTP is ours (peer.ts useFastSrtp): the direct senders can be made. */
  set srtp(enc: SrtpEncryptor | undefined) {
    this.#srtp = enc;
  }

  /** How video packets leave ("ffi", "handle", "werift"; "" before the first packet). */
  get way(): string {
    return (this.video ?? this.audio)?.direct?.way ?? "";
  }

  /** Datagrams the kernel refused on the direct ways. */
  get sendErrors(): number {
    return (this.video?.direct?.sendErrors ?? 0) + (this.audio?.direct?.sendErrors ?? 0);
  }

  /** The output of a frame's track, when this viewer gets that track. */
  #outOf(f: Frame): Out | undefined {
    const out = f.track.kind === "video" ? this.video : this.audio;
    return out && f.track.codec === out.track ? out : undefined;
  }

  /** Sends `frames`; returns the packets counted, and a promise while a paced send goes on. */
  send(frames: Frame[], rtp: WebrtcRtpOut): { packets: number; sending: Promise<void> | void } {
    let total = 0;
    for (const f of frames) {
      if (!this.#outOf(f)) continue;
      if (f.pts !== f.dts && !this.#bframesLogged && f.track.codec === "h264") {
        // Measured in Chromium: an H264 stream with B-frames decodes about 1 frame in 15 with a PLI
        // storm; without its B pictures (`<rtc><bframes>drop`, the default) it plays smoothly at the
        // rate of its I and P frames.
        this.#bframesLogged = true;
        this.log.warn(
          this.bframes === "drop"
            ? "whep source has B-frames: viewers get its I and P frames only (a lower frame rate)"
            : "whep source has B-frames: browsers decode few of its frames (<rtc><bframes>pass)",
          { key: this.streamKey },
        );
      }
      this.frames++;
      total += rtp.packets(f).length;
    }
    if (total > PACE_BURST) return { packets: total, sending: this.#sendPaced(frames, rtp) };
    // The usual case (a frame or two of a few packets): straight out, no per-packet objects.
    let last: Promise<void> | undefined;
    for (const f of frames) {
      const out = this.#outOf(f);
      if (!out) continue;
      const packets = rtp.packets(f);
      for (let i = 0; i < packets.length; i++) {
        last = this.#sendOne(out, packets[i], i === packets.length - 1 ? f : undefined) ?? last;
      }
    }
    return { packets: total, sending: last };
  }

  /**
   * A large frame (a keyframe, the GOP cache at the start) goes out PACE_BURST packets at a time
   * with a pause between: a burst of a hundred packets overflows a receiver's socket buffer (and a
   * router's queue) that a paced one does not. The reader waits meanwhile (its queue bound applies).
   */
  async #sendPaced(frames: Frame[], rtp: WebrtcRtpOut): Promise<void> {
    let last: Promise<void> | undefined;
    let n = 0;
    for (const f of frames) {
      const out = this.#outOf(f);
      if (!out) continue;
      const packets = rtp.packets(f);
      for (let i = 0; i < packets.length; i++, n++) {
        if (n > 0 && n % PACE_BURST === 0) {
          await new Promise((r) => setTimeout(r, PACE_GAP_MS));
          if (!this.live()) return;
        }
        last = this.#sendOne(out, packets[i], i === packets.length - 1 ? f : undefined) ?? last;
      }
    }
    await last;
  }

  /** One packet to the viewer; `f` on its frame's last packet (the sender report's anchor). */
  #sendOne(out: Out, p: Buffer, f: Frame | undefined): Promise<void> | undefined {
    this.packets++;
    this.bytes += p.byteLength;
    const direct = this.direct(out)?.send(p);
    // true: out already (synchronously, nothing to wait for); false/undefined: werift's path.
    const sent = direct === true
      ? undefined
      : direct === false || direct === undefined
      ? out.sender.sendRtp(p).catch(ignore)
      : direct;
    // The sender took the packet synchronously: its next sender report pairs a frame's last packet
    // with the frame's media time instead of the moment it went out.
    if (f) this.#clock.stamp(out.sender as unknown as SenderReportFields, p, f);
    return sent;
  }

  /** The direct sender of an output once SRTP is ours (made on first use; null when werift differs). */
  direct(out: Out): DirectRtpSender | null | undefined {
    if (out.direct !== undefined || !this.#srtp) return out.direct;
    out.direct = DirectRtpSender.create(out.sender, this.#srtp, out.codec.payloadType) ?? null;
    if (!out.direct) {
      this.log.warn("webrtc direct RTP sending off: werift's sender is used for every packet");
    }
    return out.direct;
  }

  /** The direct senders' socket descriptors (werift closes its own sockets with the connection). */
  close(): void {
    this.video?.direct?.close();
    this.audio?.direct?.close();
  }
}
