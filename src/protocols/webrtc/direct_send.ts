/**
 * Per-viewer sending of the stream's shared RTP packets without werift's `RTCRtpSender.sendRtp`,
 * which parses every packet into objects, clones it, rebuilds its header extensions and serializes it
 * again, for every viewer. Here a packet's 12-byte header is copied with the viewer's SSRC and payload
 * type, the session's SrtpEncryptor encrypts it (the rollover counter from werift's own SRTP context,
 * so werift's retransmissions and ours agree), and the bytes go to werift's ICE connection. The
 * sender's counters that its RTCP sender reports carry (packets, octets, RTP and NTP time) are kept
 * the way werift keeps them. Anything unexpected (a packet with CSRCs or extensions, werift objects
 * of another shape) returns undefined, and the caller uses werift's path.
 */
import type { Buffer } from "node:buffer";
import { ntpTime, type RTCRtpSender } from "werift";
import type { SrtpEncryptor } from "./srtp.ts";

/** The fields of werift's RTCRtpSender this relies on (pinned by direct_send_test.ts). */
interface WeriftSender {
  ssrc: number;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  runRtcp(): Promise<void>;
  dtlsTransport: WeriftDtls;
}

interface WeriftDtls {
  config: { debug?: { outboundPacketLoss?: number } };
  bytesSent: number;
  packetsSent: number;
  srtp: {
    localContext: {
      getSrtpSsrcState(ssrc: number): { rolloverCounter: number };
      updateRolloverCount(seq: number, state: { rolloverCounter: number }): void;
    };
  };
  iceTransport: { connection: { send(data: Buffer): Promise<unknown> } };
}

const ignore = () => {};
const HEADER = 12;

export class DirectRtpSender {
  readonly #s: WeriftSender;
  readonly #t: WeriftDtls;
  readonly #enc: SrtpEncryptor;
  readonly #pt: number;
  readonly #header = new Uint8Array(HEADER);

  private constructor(s: WeriftSender, enc: SrtpEncryptor, payloadType: number) {
    this.#s = s;
    this.#t = s.dtlsTransport;
    this.#enc = enc;
    this.#pt = payloadType & 0x7f;
  }

  /** A direct sender for a connected werift sender, or undefined when werift is not as expected. */
  static create(sender: RTCRtpSender, enc: SrtpEncryptor, payloadType: number): DirectRtpSender | undefined {
    const s = sender as unknown as WeriftSender;
    const t = s?.dtlsTransport;
    const ok = typeof s?.ssrc === "number" && typeof s.octetCount === "number" &&
      typeof s.packetCount === "number" && typeof s.headerBytesSent === "number" &&
      typeof s.runRtcp === "function" && typeof t?.bytesSent === "number" &&
      typeof t.packetsSent === "number" && typeof t.srtp?.localContext?.getSrtpSsrcState === "function" &&
      typeof t.srtp.localContext.updateRolloverCount === "function" &&
      typeof t.iceTransport?.connection?.send === "function";
    return ok ? new DirectRtpSender(s, enc, payloadType) : undefined;
  }

  /**
   * Sends one shared packet (a retransmission leaves the sender-report counters alone, as werift's
   * own retransmissions do). Undefined: not sent, use werift's path (CSRCs, extensions or padding).
   */
  send(p: Buffer, retransmit = false): Promise<void> | undefined {
    if (p.length < HEADER || p[0] !== 0x80) return undefined;
    const s = this.#s, t = this.#t, h = this.#header;
    h.set(p.subarray(0, HEADER));
    h[1] = (p[1] & 0x80) | this.#pt;
    const ssrc = s.ssrc;
    h[8] = ssrc >>> 24;
    h[9] = ssrc >>> 16;
    h[10] = ssrc >>> 8;
    h[11] = ssrc;
    const seq = (p[2] << 8) | p[3];
    const ctx = t.srtp.localContext;
    const state = ctx.getSrtpSsrcState(ssrc);
    ctx.updateRolloverCount(seq, state);
    const payload = p.subarray(HEADER);
    const enc = this.#enc.encrypt(h, payload, ssrc, seq, state.rolloverCounter);
    if (!retransmit) {
      s.ntpTimestamp = ntpTime();
      s.rtpTimestamp = ((p[4] << 24) | (p[5] << 16) | (p[6] << 8) | p[7]) >>> 0;
      s.octetCount += payload.length;
      s.headerBytesSent += HEADER;
      s.packetCount = (s.packetCount + 1) >>> 0;
      s.runRtcp().catch(ignore);
    }
    // werift's test-only outbound loss (settings.dropPercent), applied as in its own sendRtp.
    const loss = t.config.debug?.outboundPacketLoss;
    if (loss && loss / 100 < Math.random()) return Promise.resolve();
    t.bytesSent += enc.length;
    t.packetsSent++;
    return t.iceTransport.connection.send(enc).then(ignore, ignore);
  }
}
