/**
 * One WHEP viewer: a werift peer connection that answers the client's offer, and, once ICE and DTLS
 * are up, a Reader on the stream (starting at the GOP cache's keyframe: fast start) whose frames go
 * out as the stream's shared RTP packets. The session ends, with one log line, on DELETE, when ICE or
 * DTLS fails or does not connect in time, when the viewer goes silent (no RTCP), or with the stream.
 */
import { audioAs, type TranscodedAudio } from "../../transcode/mod.ts";
import { type RTCPeerConnection, RtpPacket } from "werift";
import type { Frame, Lease, Reader, Stream } from "../../core/mod.ts";
import { ProtocolError } from "../../core/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { negotiate, type Negotiated } from "./codecs.ts";
import { BadOfferError, NoCommonCodecError } from "./errors.ts";
import { NackAnswer } from "./nack_answer.ts";
import { createPeer, sendTrack, smallReceives, takeOverNacks, useFastSrtp } from "./peer.ts";
import { WebrtcRtpOut } from "./rtp_out.ts";
import type { WebrtcSettings } from "./settings.ts";
import { addTrickled, answerOn, answerSdp, readOffer } from "./signalling.ts";
import { type Out, outOf, WhepSender } from "./whep_send.ts";

export interface WhepSessionOptions {
  id: string;
  stream: Stream;
  settings: WebrtcSettings;
  log: Logger;
  remote: string;
  /** This session's own UDP port window (see ports.ts). */
  ports: [number, number];
  /** A viewer lost a picture (PLI/FIR): the registry forwards it to a WHIP publisher of the stream. */
  onPictureLoss?: () => void;
  /** Called once when the session has ended (the registry forgets it and takes the ports back). */
  onClose: (s: WhepSession, reason: string) => void;
}

export interface WhepSessionStats {
  id: string;
  key: string;
  remote: string;
  state: string;
  video: string;
  audio: string;
  /** Milliseconds from the offer to ICE + DTLS connected (0 until then). */
  connectMs: number;
  packetsSent: number;
  /** RTP bytes handed to werift (before SRTP). */
  bytesSent: number;
  framesSent: number;
  plis: number;
  /** NACKed packets sent again from the stream's retransmission buffer. */
  retransmits: number;
  /** NACKed packets older than the stream's retransmission window (`<rtc><nackms>`). */
  nackMisses: number;
  /** NACKs for a packet resent less than max(40 ms, 1.5 RTT) ago: not answered (nack.ts). */
  nackRecent: number;
  /** NACKed packets not resent because the viewer's resend budget for the second was spent. */
  nackOverBudget: number;
  /** SRTP by srtp.ts (one reused cipher per session) rather than werift's per-packet ciphers. */
  fastSrtp: boolean;
  /**
   * How video packets leave (direct_send.ts): "ffi" (sendto on the ICE pair's socket), "handle"
   * (node:dgram's handle), "werift" (werift's ICE send), "" before the first packet.
   */
  sendWay: string;
  /** Datagrams the kernel refused on the direct ways (a full socket send buffer): lost packets. */
  sendErrors: number;
}

const ignore = () => {};

/** Reader queue bound: a viewer that cannot take this much falls back to the next keyframe. */
const MAX_QUEUE_BYTES = 4 * 1024 * 1024;
/** PLIs are logged at most this often per session (they are answered by the next keyframe). */
const PLI_LOG_MS = 5000;

export class WhepSession {
  readonly id: string;
  readonly stream: Stream;
  readonly createdAt = Date.now();
  #resolveDone!: (reason: string) => void;
  /** Resolves with the reason once the session has ended. */
  readonly done: Promise<string> = new Promise((r) => this.#resolveDone = r);
  #o: WhepSessionOptions;
  #log: Logger;
  #pc: RTCPeerConnection | undefined;
  /** The viewer's tracks and how their packets leave. */
  #out: WhepSender;
  #rtp: Lease<WebrtcRtpOut> | undefined;
  #reader: Reader | undefined;
  #releasePlayer: () => void;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #silence: ReturnType<typeof setInterval> | undefined;
  #lastRtcp = 0;
  #lastPliLog = 0;
  #closed = false;
  #state = "new";
  #connectMs = 0;
  #plis = 0;
  #nacks = new NackAnswer();
  #fastSrtp = false;
  /** AAC source: Opus comes from the stream's shared transcoder, not from the reader. */
  #transcodeAudio = false;
  #transcoder: Lease<TranscodedAudio> | undefined;
  #offTranscoded: (() => void) | undefined;

  constructor(o: WhepSessionOptions) {
    this.id = o.id;
    this.stream = o.stream;
    this.#o = o;
    this.#log = o.log;
    this.#releasePlayer = o.stream.attachPlayer("webrtc");
    this.#out = new WhepSender(o.log, o.stream.key, o.settings.bframes, () => !this.#closed);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Answers the offer: the answer SDP carries the server's host candidates (non-trickle clients
   * work). Throws BadOfferError (unreadable offer) or NoCommonCodecError; the session is then closed.
   */
  async answer(offerSdp: string): Promise<string> {
    try {
      const offer = readOffer(offerSdp);
      if (!offer.media.some((m) => m.type === "video" || m.type === "audio")) {
        throw new BadOfferError("SDP offer is invalid: it has no audio or video media section");
      }
      const neg = negotiate(offer, this.stream, this.#o.settings.transcode !== null);
      if (!neg.video && !neg.audio) throw new NoCommonCodecError(this.stream.key, neg.notes);
      // One line for what the viewer will not get: with no common video codec (an H265 source and a
      // browser without H265) the session carries audio only, and says so (smart_rtmpd's rule).
      if (neg.notes.length > 0) {
        const audioOnly = !neg.video && !!this.stream.videoTrack;
        this.#log.info(audioOnly ? "whep audio only" : "webrtc media left out", {
          why: neg.notes.join("; "),
        });
      }
      const pc = this.#pc = createPeer(this.#o.settings, neg, this.#o.ports);
      this.#addSenders(pc, neg);
      pc.connectionStateChange.subscribe((st) => this.#onState(st));
      await answerOn(pc, offerSdp, this.#log, () =>
        useFastSrtp(pc, (enc) => {
          this.#out.srtp = enc;
          this.#fastSrtp = enc !== undefined;
          if (!enc) {
            this.#log.warn("webrtc fast SRTP not installed: werift's own per-packet ciphers are used");
          }
        }));
      if (this.#closed) throw new ProtocolError(`session ${this.id} closed while answering`);
      // The deadline counts from the offer, answering included.
      const deadline = this.#o.settings.connectTimeoutMs;
      this.#timers.push(setTimeout(() => {
        if (this.#state !== "connected") this.close(`ICE/DTLS did not connect within ${deadline / 1000} s`);
      }, Math.max(0, deadline - (Date.now() - this.createdAt))));
      this.stream.ended.then((why) => this.close(`stream ended: ${why}`));
      return answerSdp(pc, this.#o.settings);
    } catch (err) {
      this.close(`answer failed: ${(err as Error)?.message ?? err}`);
      throw err;
    }
  }

  #addSenders(pc: RTCPeerConnection, neg: Negotiated) {
    this.#transcodeAudio = neg.transcodeAudio === true;
    for (const c of [neg.video, neg.audio]) {
      if (!c) continue;
      const t = pc.addTransceiver(sendTrack(c), { direction: "sendonly" });
      const out = outOf(t.sender, c);
      if (c.kind === "video") this.#out.video = out;
      else this.#out.audio = out;
      t.sender.onRtcp.subscribe(() => this.#lastRtcp = Date.now());
      t.sender.onPictureLossIndication.subscribe(() => this.#onPli());
      if (!takeOverNacks(t.sender)) this.#log.warn("webrtc NACKs: werift's own per-viewer history stays on");
      t.sender.onGenericNack.subscribe((nack) => this.#onNack(out, nack.lost));
    }
  }

  /**
   * A viewer lost a picture. Every keyframe goes out with its parameter sets, so the answer is the
   * next keyframe: a WHIP publisher is asked for one at once (rate-limited there), other sources
   * send one every GOP. The count shows in the stats and in a rate-limited log line.
   */
  #onPli() {
    this.#plis++;
    this.#o.onPictureLoss?.();
    const now = Date.now();
    if (now - this.#lastPliLog >= PLI_LOG_MS) {
      this.#lastPliLog = now;
      this.#log.debug("webrtc picture loss", { plis: this.#plis });
    }
  }

  /** A viewer's NACKs, answered from the stream's shared buffer (nack_answer.ts). */
  #onNack(out: Out, lost: number[]) {
    const rtp = this.#rtp?.value;
    if (!rtp || this.#closed) return;
    const kind = out.codec.kind;
    this.#nacks.answer(kind, out.sender, lost, (seq) => rtp.retransmit(kind, seq), (buf) => {
      const sent = this.#out.direct(out)?.send(buf, true);
      if (sent !== undefined && sent !== false) return;
      // werift's path, the way it sends its own retransmissions.
      const p = RtpPacket.deSerialize(buf);
      p.header.ssrc = out.sender.ssrc;
      p.header.payloadType = out.codec.payloadType;
      out.sender.dtlsTransport.sendRtp(p.payload, p.header).catch(ignore);
    });
  }

  #onState(st: string) {
    if (this.#closed) return;
    this.#state = st;
    if (st === "connected" && !this.#reader) this.#start();
    else if (st === "failed") this.close("ICE/DTLS failed");
    else if (st === "closed") this.close("peer connection closed");
  }

  #start() {
    this.#connectMs = Date.now() - this.createdAt;
    // RTCP, STUN and DTLS only from here on: no 64 KiB buffer per datagram received (peer.ts).
    if (this.#pc) smallReceives(this.#pc);
    const o = this.#o.settings;
    this.#rtp = WebrtcRtpOut.acquire(this.stream, o.mtu, o.nackMs, o.bframes);
    this.#lastRtcp = Date.now();
    const silenceMs = this.#o.settings.silenceTimeoutMs;
    this.#silence = setInterval(() => {
      if (Date.now() - this.#lastRtcp > silenceMs) {
        this.close(`viewer sent no RTCP for ${silenceMs / 1000} s`);
      }
    }, Math.min(1000, silenceMs / 2));
    if (this.#transcodeAudio) {
      // Once per stream: every viewer of an AAC stream shares this encode (and its RTP packets).
      // The bitrate is the one configured when this viewer came (a reload reaches new transcoders).
      const bitrate = this.#o.settings.transcode?.opusBitrate;
      this.#transcoder = audioAs(this.stream, "opus", { log: this.#log, bitrate });
      this.#offTranscoded = this.#transcoder.value.onFrame((f) => void this.#send([f]));
    }
    this.#reader = this.stream.addReader((frames) => this.#send(frames), {
      maxBytes: MAX_QUEUE_BYTES,
      onClose: (_r, reason) => this.close(reason),
    });
    this.#log.info("whep play start", {
      connect_ms: this.#connectMs,
      video: this.#out.video?.codec.mimeType ?? "none",
      audio: this.#out.audio?.codec.mimeType ?? "none",
    });
  }

  #send(frames: Frame[]): Promise<void> | void {
    const rtp = this.#rtp?.value;
    if (!rtp || this.#closed) return;
    const { packets, sending } = this.#out.send(frames, rtp);
    this.#nacks.budget.sent(packets, Date.now());
    return sending;
  }

  /** Adds the client's trickled candidates (a PATCH body). */
  async addCandidates(fragment: string): Promise<number> {
    const pc = this.#pc;
    if (!pc || this.#closed) return 0;
    return await addTrickled(pc, fragment, this.#log);
  }

  stats(): WhepSessionStats {
    return {
      id: this.id,
      key: this.stream.key,
      remote: this.#o.remote,
      state: this.#closed ? "closed" : this.#state,
      video: this.#out.video?.codec.mimeType ?? "",
      audio: this.#out.audio?.codec.mimeType ?? "",
      connectMs: this.#connectMs,
      packetsSent: this.#out.packets,
      bytesSent: this.#out.bytes,
      framesSent: this.#out.frames,
      plis: this.#plis,
      retransmits: this.#nacks.counts.retransmits,
      nackMisses: this.#nacks.counts.misses,
      nackRecent: this.#nacks.counts.recent,
      nackOverBudget: this.#nacks.counts.overBudget,
      fastSrtp: this.#fastSrtp,
      sendWay: this.#out.way,
      sendErrors: this.#out.sendErrors,
    };
  }

  /** Ends the session (idempotent) with one log line. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    clearInterval(this.#silence);
    this.#reader?.close(reason);
    this.#offTranscoded?.();
    this.#transcoder?.release();
    this.#rtp?.release();
    this.#releasePlayer();
    this.#pc?.close().catch(ignore);
    this.#log.info("whep play stop", {
      reason,
      packets: this.#out.packets,
      frames: this.#out.frames,
      plis: this.#plis,
      retransmits: this.#nacks.counts.retransmits,
      nack_over_budget: this.#nacks.counts.overBudget,
      send_way: this.#out.way,
      send_errors: this.#out.sendErrors,
      duration_s: Math.round((Date.now() - this.createdAt) / 100) / 10,
    });
    this.#out.close();
    this.#o.onClose(this, reason);
    this.#resolveDone(reason);
  }
}
