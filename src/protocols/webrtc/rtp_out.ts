/**
 * RTP out for WebRTC viewers: each frame of a stream is packetized once (H.264 as RFC 6184
 * packetization-mode 1 with SPS/PPS in-band before every keyframe, Opus and G.711 as they are) and
 * every viewer's sender gets the same packets. A frame's packets are built on the first request and
 * kept beside the frame (a WeakMap: they go when the frame leaves the GOP cache and every queue), so
 * a viewer starting from the GOP cache sends the very packets the others sent, with the same
 * sequence numbers. Per viewer, werift rewrites SSRC and payload type and encrypts (SRTP). The recent
 * packets also answer NACKs that werift's own short history cannot.
 *
 * H.264 B-frames: browsers' WebRTC decoders take no reordered pictures (Chromium decodes about one
 * frame in fifteen of such a stream, with a PLI storm). By default (`<rtc><bframes>drop`) the B
 * pictures are left out, once per stream: viewers get the I and P frames, smoothly, at a lower frame
 * rate (docs/architecture.md has the measurement). Streams without reordering pay nothing.
 */
import { Buffer } from "node:buffer";
import { type Frame, ProtocolError, type SharedOutput, type Stream, type Track } from "../../core/mod.ts";
import { RtpPacketizer } from "../../formats/rtp/mod.ts";
import { isH264BFrame } from "../../codecs/h264.ts";

/** What WebRTC viewers get of an H.264 stream with B-frames: its I and P frames only, or all of it. */
export type BframesMode = "drop" | "pass";

/** The shared output's id on a stream. */
export const RTP_OUT_ID = "webrtc:rtp";

const randomU32 = () => crypto.getRandomValues(new Uint32Array(1))[0];

/** A packet kept for retransmission: when it was built and its bytes. */
interface Kept {
  at: number;
  buf: Buffer;
}

/**
 * The stream's recent packets by kind and sequence number, for NACKs (RFC 4585 6.2.1), kept for a
 * time rather than a count: werift's own history is 128 packets per viewer, half a second at
 * 2.5 Mbit/s and one keyframe's worth at higher rates. This one is shared by every viewer.
 */
class RetransmitBuffer {
  readonly #keepMs: number;
  #bySeq = new Map<number, Kept>();
  #order: { seq: number; kept: Kept }[] = [];
  #head = 0;

  constructor(keepMs: number) {
    this.#keepMs = keepMs;
  }

  get size(): number {
    return this.#bySeq.size;
  }

  add(buf: Buffer, now: number): void {
    const seq = (buf[2] << 8) | buf[3];
    const kept = { at: now, buf };
    this.#bySeq.set(seq, kept);
    this.#order.push({ seq, kept });
    // Drop what is older than the window (and its map entry, unless the number was reused since).
    const limit = now - this.#keepMs;
    while (this.#head < this.#order.length && this.#order[this.#head].kept.at < limit) {
      const old = this.#order[this.#head++];
      if (this.#bySeq.get(old.seq) === old.kept) this.#bySeq.delete(old.seq);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }

  get(seq: number): Buffer | undefined {
    return this.#bySeq.get(seq)?.buf;
  }
}

export class WebrtcRtpOut implements SharedOutput {
  readonly #mtu: number;
  readonly #history: { video: RetransmitBuffer; audio: RetransmitBuffer };
  /** One packetizer per kind; a new Track (new SPS) continues its sequence numbers and clock. */
  #video: { track: Track; p: RtpPacketizer } | undefined;
  #audio: { track: Track; p: RtpPacketizer } | undefined;
  #packets = new WeakMap<Frame, Buffer[]>();
  #closed = false;
  readonly #bframes: BframesMode;
  /** An H.264 frame with pts ≠ dts was seen: from then on B pictures are looked for. */
  #reordered = false;
  /** Frames packetized and packets built (for stats and tests: once per stream, not per viewer). */
  frames = 0;
  packetCount = 0;
  /** B pictures left out (`bframes` drop). */
  bframesDropped = 0;
  /** Frames the payload format could not carry (malformed), left out. */
  badFrames = 0;

  constructor(mtu: number, keepMs: number, bframes: BframesMode = "drop") {
    this.#mtu = mtu;
    this.#bframes = bframes;
    this.#history = { video: new RetransmitBuffer(keepMs), audio: new RetransmitBuffer(keepMs) };
  }

  /** Acquires the stream's shared RTP output (created on first use). */
  static acquire(stream: Stream, mtu: number, keepMs: number, bframes: BframesMode = "drop") {
    return stream.outputs.acquire(RTP_OUT_ID, () => new WebrtcRtpOut(mtu, keepMs, bframes));
  }

  /** Whether a frame is a B picture WebRTC viewers do not get (checked once per frame per stream). */
  #leftOut(frame: Frame): boolean {
    if (this.#bframes === "pass" || frame.track.codec !== "h264") return false;
    if (!this.#reordered) {
      if (frame.pts === frame.dts) return false;
      this.#reordered = true;
    }
    if (frame.key || !isH264BFrame(frame.data)) return false;
    this.bframesDropped++;
    return true;
  }

  /** A recent packet of a kind by sequence number (a NACK's answer), or undefined once it is too old. */
  retransmit(kind: "video" | "audio", seq: number): Buffer | undefined {
    return this.#history[kind].get(seq);
  }

  /** Packets kept for retransmission now, per kind. */
  get kept(): { video: number; audio: number } {
    return { video: this.#history.video.size, audio: this.#history.audio.size };
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
    let views: Uint8Array[] = [];
    try {
      if (!this.#closed && !this.#leftOut(frame)) views = this.#packetizer(frame.track).packets(frame);
    } catch (err) {
      // A frame the payload format cannot carry (e.g. AV1 with a broken OBU size) is left out.
      if (!(err instanceof ProtocolError)) throw err;
      this.badFrames++;
    }
    out = views.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    this.#packets.set(frame, out);
    const history = this.#history[frame.track.kind];
    const now = Date.now();
    for (const b of out) history.add(b, now);
    this.frames++;
    this.packetCount += out.length;
    return out;
  }

  close(): void {
    this.#closed = true;
  }
}
