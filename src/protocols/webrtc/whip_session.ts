/**
 * One WHIP publisher: a werift peer connection that receives H264 or VP8 and Opus, and the receive path
 * every RTP ingest shares (formats/rtp RtpReceiver: reorder, RTP → hub time, depacketize) writing
 * frames into the hub stream. Timestamps come from RTP (aligned by the publisher's sender reports).
 * The publisher gets a PLI every two seconds (so late joiners find a fresh keyframe) and whenever a
 * WHEP viewer loses a picture (rate-limited).
 */
import type { MediaStreamTrack, RTCPeerConnection, RtcpPacket, RtpPacket as WeriftRtp } from "werift";
import { type Frame, ProtocolError, type Stream, type Track } from "../../core/mod.ts";
import { RTCP_SR, RtpReceiver, SessionClock } from "../../formats/rtp/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { negotiateIngest, type RtpCodec } from "./codecs.ts";
import { NoCommonCodecError } from "./errors.ts";
import { createPeer, sendTrack } from "./peer.ts";
import { addTrickled, answerOn, answerSdp, readOffer } from "./signalling.ts";
import type { WebrtcSettings } from "./settings.ts";

export interface WhipSessionOptions {
  id: string;
  stream: Stream;
  settings: WebrtcSettings;
  log: Logger;
  remote: string;
  ports: [number, number];
  onClose: (s: WhipSession, reason: string) => void;
}

export interface WhipSessionStats {
  id: string;
  key: string;
  remote: string;
  role: "publisher";
  state: string;
  video: string;
  audio: string;
  connectMs: number;
  packets: number;
  /** RTP bytes received (after SRTP). */
  bytesReceived: number;
  frames: number;
  badPackets: number;
  plis: number;
}

/** A keyframe request to the publisher this often, so a new viewer never waits long. */
export const PERIODIC_PLI_MS = 2000;
/** Viewer-triggered PLIs are forwarded at most this often. */
const PLI_MIN_GAP_MS = 500;
/** Packets a gap may wait for (UDP reorders; werift retransmits lost ones after a NACK). */
const REORDER_WINDOW = 64;

const OPUS: Track = { kind: "audio", codec: "opus", clockRate: 48000, sampleRate: 48000, channels: 2 };
const ignore = () => {};

interface In {
  codec: RtpCodec;
  receiver: RtpReceiver;
  ssrc?: number;
}

/** Unix milliseconds and the middle 32 bits of a 64-bit NTP timestamp. */
function ntpParts(ntp: bigint): { ntpMs: number; ntpMiddle: number } {
  const seconds = Number(ntp >> 32n) - 2208988800;
  const frac = Number(ntp & 0xffffffffn) / 2 ** 32;
  return { ntpMs: (seconds + frac) * 1000, ntpMiddle: Number((ntp >> 16n) & 0xffffffffn) };
}

export class WhipSession {
  readonly id: string;
  readonly stream: Stream;
  readonly createdAt = Date.now();
  #resolveDone!: (reason: string) => void;
  readonly done: Promise<string> = new Promise((r) => this.#resolveDone = r);
  #o: WhipSessionOptions;
  #log: Logger;
  #pc: RTCPeerConnection | undefined;
  #video: In | undefined;
  #audio: In | undefined;
  #clock = new SessionClock();
  #frames: Frame[] = [];
  #timers: ReturnType<typeof setTimeout>[] = [];
  #intervals: ReturnType<typeof setInterval>[] = [];
  #lastPacketAt = 0;
  #lastPli = 0;
  #closed = false;
  #state = "new";
  #connectMs = 0;
  #packets = 0;
  #bytes = 0;
  #frameCount = 0;
  #bad = 0;
  #badLogged = false;
  #plis = 0;

  constructor(o: WhipSessionOptions) {
    this.id = o.id;
    this.stream = o.stream;
    this.#o = o;
    this.#log = o.log;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Answers the publisher's offer (candidates included); throws BadOfferError or NoCommonCodecError. */
  async answer(offerSdp: string): Promise<string> {
    try {
      const offer = readOffer(offerSdp);
      const neg = negotiateIngest(offer);
      if (!neg.video && !neg.audio) throw new NoCommonCodecError(this.stream.key, neg.notes);
      for (const note of neg.notes) this.#log.info("webrtc media left out", { why: note });
      this.stream.expectTracks({ video: !!neg.video, audio: !!neg.audio });
      const pc = this.#pc = createPeer(this.#o.settings, neg, this.#o.ports);
      for (const c of [neg.video, neg.audio]) {
        if (!c) continue;
        // The track only pins the codec (werift then accepts exactly this payload of the offer).
        pc.addTransceiver(sendTrack(c), { direction: "recvonly" });
        const input = { codec: c, receiver: this.#receiver(c) };
        if (c.kind === "video") this.#video = input;
        else {
          this.#audio = input;
          this.stream.setTrack(OPUS);
        }
      }
      pc.onTrack.subscribe((t) => this.#onTrack(t));
      pc.connectionStateChange.subscribe((st) => this.#onState(st));
      await answerOn(pc, offerSdp, this.#log);
      if (this.#closed) throw new ProtocolError(`session ${this.id} closed while answering`);
      const deadline = this.#o.settings.connectTimeoutMs;
      this.#timers.push(setTimeout(() => {
        if (this.#state !== "connected") this.close(`ICE/DTLS did not connect within ${deadline / 1000} s`);
      }, Math.max(0, deadline - (Date.now() - this.createdAt))));
      // The hub may end the stream (idle publisher, server stop): the session goes with it.
      this.stream.ended.then((why) => this.close(`stream ended: ${why}`));
      return answerSdp(pc, this.#o.settings);
    } catch (err) {
      this.close(`answer failed: ${(err as Error)?.message ?? err}`);
      throw err;
    }
  }

  #receiver(c: RtpCodec): RtpReceiver {
    const codec = c.kind === "video" ? c.mimeType.slice(c.mimeType.indexOf("/") + 1).toLowerCase() : "opus";
    return new RtpReceiver({
      codec,
      rtpClock: c.clockRate,
      track: codec === "opus" ? OPUS : undefined,
      session: this.#clock,
      reorderWindow: REORDER_WINDOW,
    });
  }

  #onTrack(t: MediaStreamTrack) {
    const input = t.kind === "video" ? this.#video : this.#audio;
    if (!input) return;
    t.onReceiveRtp.subscribe((rtp) => this.#onRtp(input, rtp));
    t.onReceiveRtcp.subscribe((p) => this.#onRtcp(input, p));
  }

  #onRtp(input: In, rtp: WeriftRtp) {
    if (this.#closed) return;
    const h = rtp.header;
    input.ssrc = h.ssrc;
    this.#packets++;
    this.#bytes += 12 + rtp.payload.length;
    this.#lastPacketAt = Date.now();
    const frames = this.#frames;
    frames.length = 0;
    try {
      input.receiver.push(
        {
          payloadType: h.payloadType,
          marker: h.marker,
          sequence: h.sequenceNumber,
          timestamp: h.timestamp,
          ssrc: h.ssrc,
          payload: rtp.payload,
        },
        this.#lastPacketAt,
        frames,
      );
    } catch (err) {
      this.#badPacket(err);
    }
    for (const f of frames) {
      this.#frameCount++;
      this.stream.write(f);
    }
  }

  #onRtcp(input: In, p: RtcpPacket) {
    if (p.type !== RTCP_SR || !("senderInfo" in p)) return;
    const { ntpMs, ntpMiddle } = ntpParts(p.senderInfo.ntpTimestamp);
    input.receiver.senderReport({
      type: RTCP_SR,
      ssrc: p.ssrc,
      ntpMs,
      ntpMiddle,
      rtpTimestamp: p.senderInfo.rtpTimestamp,
      packetCount: p.senderInfo.packetCount,
      octetCount: p.senderInfo.octetCount,
      reports: [],
    }, Date.now());
  }

  #badPacket(err: unknown) {
    this.#bad++;
    if (!(err instanceof ProtocolError)) throw err;
    if (!this.#badLogged) {
      this.#badLogged = true;
      this.#log.warn("whip bad media packet dropped", { error: err.message });
    }
  }

  /** Asks the publisher for a keyframe (a viewer lost a picture), at most every 500 ms. */
  requestKeyframe(): void {
    if (Date.now() - this.#lastPli < PLI_MIN_GAP_MS) return;
    this.#sendPli();
  }

  #sendPli() {
    const v = this.#video;
    const pc = this.#pc;
    if (!v?.ssrc || !pc || this.#closed) return;
    const t = pc.getTransceivers().find((t) => t.kind === "video");
    if (!t) return;
    this.#lastPli = Date.now();
    this.#plis++;
    t.receiver.sendRtcpPLI(v.ssrc).catch(ignore);
  }

  #onState(st: string) {
    if (this.#closed) return;
    this.#state = st;
    if (st === "connected" && !this.#connectMs) this.#start();
    else if (st === "failed") this.close("ICE/DTLS failed");
    else if (st === "closed") this.close("peer connection closed");
  }

  #start() {
    this.#connectMs = Date.now() - this.createdAt;
    this.#lastPacketAt = Date.now();
    const silenceMs = this.#o.settings.silenceTimeoutMs;
    this.#intervals.push(setInterval(() => {
      if (Date.now() - this.#lastPacketAt > silenceMs) {
        this.close(`publisher sent no media for ${silenceMs / 1000} s`);
      }
    }, Math.min(1000, silenceMs / 2)));
    this.#intervals.push(setInterval(() => this.#sendPli(), PERIODIC_PLI_MS));
    this.#log.info("whip publish start", {
      connect_ms: this.#connectMs,
      video: this.#video?.codec.mimeType ?? "none",
      audio: this.#audio?.codec.mimeType ?? "none",
    });
  }

  async addCandidates(fragment: string): Promise<number> {
    const pc = this.#pc;
    if (!pc || this.#closed) return 0;
    return await addTrickled(pc, fragment, this.#log);
  }

  stats(): WhipSessionStats {
    return {
      id: this.id,
      key: this.stream.key,
      remote: this.#o.remote,
      role: "publisher",
      state: this.#closed ? "closed" : this.#state,
      video: this.#video?.codec.mimeType ?? "",
      audio: this.#audio?.codec.mimeType ?? "",
      connectMs: this.#connectMs,
      packets: this.#packets,
      bytesReceived: this.#bytes,
      frames: this.#frameCount,
      badPackets: this.#bad,
      plis: this.#plis,
    };
  }

  /** Ends the session and its stream (idempotent), with one log line. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    for (const t of this.#intervals) clearInterval(t);
    // Frames held for decode-time look-ahead go out before the end.
    const rest: Frame[] = [];
    for (const i of [this.#video, this.#audio]) i?.receiver.flush(rest);
    for (const f of rest) this.stream.write(f);
    this.stream.end(reason);
    this.#log.info("whip publish stop", {
      reason,
      packets: this.#packets,
      frames: this.#frameCount,
      plis: this.#plis,
      duration_s: Math.round((Date.now() - this.createdAt) / 100) / 10,
    });
    this.#pc?.close().catch(ignore);
    this.#o.onClose(this, reason);
    this.#resolveDone(reason);
  }
}
