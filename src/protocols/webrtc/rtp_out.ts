/**
 * RTP out for WebRTC viewers: each frame of a stream is packetized once (H.264 as RFC 6184
 * packetization-mode 1 with SPS/PPS in-band before every keyframe, Opus and G.711 as they are) and
 * every viewer's sender gets the same packets. A frame's packets are built on the first request and
 * kept beside the frame (a WeakMap: they go when the frame leaves the GOP cache and every queue), so
 * a viewer starting from the GOP cache sends the very packets the others sent, with the same
 * sequence numbers. Per viewer, werift rewrites SSRC and payload type and encrypts (SRTP).
 */
import { Buffer } from "node:buffer";
import type { Frame, SharedOutput, Stream, Track } from "../../core/mod.ts";
import { RtpPacketizer } from "../../formats/rtp/mod.ts";

/** The shared output's id on a stream. */
export const RTP_OUT_ID = "webrtc:rtp";

const randomU32 = () => crypto.getRandomValues(new Uint32Array(1))[0];

export class WebrtcRtpOut implements SharedOutput {
  readonly #mtu: number;
  /** One packetizer per kind; a new Track (new SPS) continues its sequence numbers and clock. */
  #video: { track: Track; p: RtpPacketizer } | undefined;
  #audio: { track: Track; p: RtpPacketizer } | undefined;
  #packets = new WeakMap<Frame, Buffer[]>();
  #closed = false;
  /** Frames packetized and packets built (for stats and tests: once per stream, not per viewer). */
  frames = 0;
  packetCount = 0;

  constructor(mtu: number) {
    this.#mtu = mtu;
  }

  /** Acquires the stream's shared RTP output (created on first use). */
  static acquire(stream: Stream, mtu: number) {
    return stream.outputs.acquire(RTP_OUT_ID, () => new WebrtcRtpOut(mtu));
  }

  #packetizer(track: Track): RtpPacketizer {
    const slot = track.kind === "video" ? this.#video : this.#audio;
    if (slot?.track === track) return slot.p;
    const p = new RtpPacketizer(track, {
      payloadType: 96,
      ssrc: slot?.p.ssrc ?? randomU32(),
      mtu: this.#mtu,
      sequence: slot?.p.nextSequence ?? randomU32() & 0x7fff,
      timestampBase: slot?.p.timestampBase ?? randomU32(),
    });
    const next = { track, p };
    if (track.kind === "video") this.#video = next;
    else this.#audio = next;
    return p;
  }

  /** The RTP packets of a frame (Node Buffers over one shared allocation; never copied per viewer). */
  packets(frame: Frame): Buffer[] {
    let out = this.#packets.get(frame);
    if (out) return out;
    const views = this.#closed ? [] : this.#packetizer(frame.track).packets(frame);
    out = views.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    this.#packets.set(frame, out);
    this.frames++;
    this.packetCount += out.length;
    return out;
  }

  close(): void {
    this.#closed = true;
  }
}
