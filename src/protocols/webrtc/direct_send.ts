/**
 * Per-viewer sending of the stream's shared RTP packets without werift's `RTCRtpSender.sendRtp`,
 * which parses every packet into objects, clones it, rebuilds its header extensions and serializes it
 * again, for every viewer. Here a packet's 12-byte header is copied with the viewer's SSRC and payload
 * type, the session's SrtpEncryptor encrypts it (the rollover counter from werift's own SRTP context,
 * so werift's retransmissions and ours agree), and the bytes go out on the nominated ICE pair's
 * socket. The sender's counters that its RTCP sender reports carry (packets, octets, RTP and NTP time)
 * are kept the way werift keeps them. Anything unexpected (a packet with CSRCs or extensions, werift
 * objects of another shape) returns false, and the caller uses werift's path.
 *
 * The way out, per nominated pair (werift's ICE `Connection.send` is three async functions per
 * datagram, ending in node:dgram's `send`, which copies it twice and runs an async op):
 *   - "ffi": `sendmmsg(2)` on the pair's socket (udp_fd.ts: a viewer's packets of a frame in one
 *     system call), encrypted straight into the batch's buffer, which every viewer shares (a batch
 *     holds one destination's datagrams): no allocation, copy or promise per packet;
 *   - "handle": the socket's UDP handle (udp_send.ts), where FFI is not allowed (encrypted into one
 *     buffer every viewer shares: the handle copies it before it returns);
 *   - "werift": werift's `Connection.send`, for a pair that is not a plain UDP socket (TCP, TURN).
 * Either way a packet goes out only while werift would send it (`canSendApplicationData`: ICE consent
 * fresh), and the pair's counters move as werift moves them.
 */
import type { Buffer } from "node:buffer";
import net from "node:net";
import type { RTCRtpSender } from "werift";
import { ntpOf } from "./sender_clock.ts";
import { AUTH_TAG_BYTES, type SrtpEncryptor } from "./srtp.ts";
import { openUdpFd, sockaddrIn, udpBatch, type UdpFd } from "../../net/mod.ts";
import { udpHandle, type UdpHandleSend } from "./udp_send.ts";

/** The fields of werift's RTCRtpSender this relies on (pinned by direct_send_test.ts). */
interface WeriftSender {
  ssrc: number;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  runRtcp(): Promise<void>;
  /** werift's sender-report loop runs (runRtcp returns at once then), or the sender stopped. */
  rtcpRunning?: boolean;
  stopped?: boolean;
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
  iceTransport: { connection: WeriftConnection };
}

/** werift's ICE connection (its `send` and what that reads: the nominated pair, consent). */
interface WeriftConnection {
  send(data: Buffer): Promise<unknown>;
  nominated?: WeriftPair;
  canSendApplicationData?(): boolean;
}

interface WeriftPair {
  protocol?: { transport?: { type?: string; closed?: boolean; socket?: unknown } };
  remoteAddr?: [string, number];
  packetsSent: number;
  bytesSent: number;
}

/** How a viewer's packets leave (see above). */
export type SendWay = "ffi" | "handle" | "werift";

/** The way out for one nominated pair. */
interface Route {
  pair: WeriftPair | undefined;
  way: SendWay;
  fd?: UdpFd;
  to?: Uint8Array;
  handle?: UdpHandleSend;
  host: string;
  port: number;
}

/** The "handle" way's packets are encrypted here in turn (the handle copies before it returns). */
const OUT = new Uint8Array(new ArrayBuffer(64 * 1024));

const ignore = () => {};

/**
 * The NTP time now, for the sender-report fields werift sets per packet (its own `ntpTime` formats
 * the time as a string and back per call); the same value for every packet within a millisecond.
 */
let ntpMs = -1, ntpValue = 0n;
function ntpNow(): bigint {
  const ms = Date.now();
  if (ms !== ntpMs) {
    ntpMs = ms;
    ntpValue = ntpOf(ms / 1000);
  }
  return ntpValue;
}
const HEADER = 12;

export class DirectRtpSender {
  readonly #s: WeriftSender;
  readonly #t: WeriftDtls;
  readonly #enc: SrtpEncryptor;
  readonly #pt: number;
  readonly #header = new Uint8Array(HEADER);
  /** "ffi" and "handle" allowed (tests turn them off to reach werift's path). */
  readonly #ways: ReadonlySet<SendWay>;
  #route: Route | undefined;
  /** Send errors of routes that were replaced (a new nominated pair) or closed. */
  #pastErrors = 0;
  #closed = false;

  private constructor(s: WeriftSender, enc: SrtpEncryptor, payloadType: number, ways: ReadonlySet<SendWay>) {
    this.#s = s;
    this.#t = s.dtlsTransport;
    this.#enc = enc;
    this.#pt = payloadType & 0x7f;
    this.#ways = ways;
  }

  /** A direct sender for a connected werift sender, or undefined when werift is not as expected. */
  static create(
    sender: RTCRtpSender,
    enc: SrtpEncryptor,
    payloadType: number,
    ways: ReadonlySet<SendWay> = ALL_WAYS,
  ): DirectRtpSender | undefined {
    const s = sender as unknown as WeriftSender;
    const t = s?.dtlsTransport;
    const ok = typeof s?.ssrc === "number" && typeof s.octetCount === "number" &&
      typeof s.packetCount === "number" && typeof s.headerBytesSent === "number" &&
      typeof s.runRtcp === "function" && typeof t?.bytesSent === "number" &&
      typeof t.packetsSent === "number" && typeof t.srtp?.localContext?.getSrtpSsrcState === "function" &&
      typeof t.srtp.localContext.updateRolloverCount === "function" &&
      typeof t.iceTransport?.connection?.send === "function";
    return ok ? new DirectRtpSender(s, enc, payloadType, ways) : undefined;
  }

  /** How packets leave now (the way of the last packet's nominated pair). */
  get way(): SendWay {
    return this.#route?.way ?? "werift";
  }

  /** Datagrams the kernel or the runtime refused (a full send buffer), over every pair so far. */
  get sendErrors(): number {
    const r = this.#route;
    return this.#pastErrors + (r?.fd?.errors ?? 0) + (r?.handle?.errors ?? 0);
  }

  /**
   * Sends one shared packet (a retransmission leaves the sender-report counters alone, as werift's
   * own retransmissions do). False: not sent, use werift's path (CSRCs, extensions or padding).
   * True: sent, or dropped as werift would drop it (no fresh ICE consent). A promise: handed to
   * werift's ICE connection, settled when that is done.
   */
  send(p: Buffer, retransmit = false): boolean | Promise<void> {
    if (p.length < HEADER || p[0] !== 0x80) return false;
    const s = this.#s, t = this.#t, h = this.#header;
    for (let i = 0; i < HEADER; i++) h[i] = p[i];
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
    if (!retransmit) {
      s.ntpTimestamp = ntpNow();
      s.rtpTimestamp = ((p[4] << 24) | (p[5] << 16) | (p[6] << 8) | p[7]) >>> 0;
      s.octetCount += p.length - HEADER;
      s.headerBytesSent += HEADER;
      s.packetCount = (s.packetCount + 1) >>> 0;
      // werift's runRtcp returns at once while its loop runs: no promise pair per packet then.
      if (s.rtcpRunning !== true && s.stopped !== true) s.runRtcp().catch(ignore);
    }
    // werift's test-only outbound loss (settings.dropPercent), applied as in its own sendRtp.
    const loss = t.config.debug?.outboundPacketLoss;
    if (loss && loss / 100 < Math.random()) return true;
    const size = p.length + AUTH_TAG_BYTES;
    const c = t.iceTransport.connection;
    const pair = c.nominated;
    let r = this.#route;
    if (!r || (r.pair !== pair && !this.#closed)) r = this.#reroute(c, pair);
    if (r.way !== "werift" && size <= OUT.length) {
      // What werift's Connection.send checks first: a nominated pair, ICE not closed, consent fresh.
      if (!c.canSendApplicationData!()) return true;
      let sent = false, len = 0;
      if (r.fd) {
        const b = udpBatch()!, at = b.reserve(r.fd, r.to!, size);
        if (at >= 0) {
          len = this.#enc.encryptInto(b.buf, at, h, p, HEADER, ssrc, seq, state.rolloverCounter);
          b.commit(len);
          sent = true;
        }
      } else {
        len = this.#enc.encryptInto(OUT, 0, h, p, HEADER, ssrc, seq, state.rolloverCounter);
        sent = r.handle!.send(OUT.subarray(0, len), r.port, r.host);
      }
      if (sent) {
        t.bytesSent += len;
        t.packetsSent++;
        pair!.packetsSent++;
        pair!.bytesSent += len;
        return true;
      }
      // The socket closed under us: werift's path decides from now on.
      this.#close(r);
      this.#route = r = { pair, way: "werift", host: "", port: 0 };
    }
    const enc = this.#enc.encrypt(h, p.subarray(HEADER), ssrc, seq, state.rolloverCounter);
    t.bytesSent += enc.length;
    t.packetsSent++;
    return c.send(enc).then(ignore, ignore);
  }

  /** Closes the route's descriptor (the session has ended); later packets take werift's path. */
  close(): void {
    this.#closed = true;
    if (this.#route) this.#close(this.#route);
    this.#route = { pair: undefined, way: "werift", host: "", port: 0 };
  }

  #close(r: Route) {
    this.#pastErrors += (r.fd?.errors ?? 0) + (r.handle?.errors ?? 0);
    r.fd?.close();
    r.fd = r.handle = undefined;
  }

  /** The way out for a (newly) nominated pair. */
  #reroute(c: WeriftConnection, pair: WeriftPair | undefined): Route {
    if (this.#route) this.#close(this.#route);
    const r: Route = { pair, way: "werift", host: "", port: 0 };
    this.#route = r;
    const tr = pair?.protocol?.transport, addr = pair?.remoteAddr;
    if (
      !pair || tr?.type !== "udp" || !Array.isArray(addr) || typeof addr[0] !== "string" ||
      typeof addr[1] !== "number" || typeof c.canSendApplicationData !== "function" ||
      typeof pair.packetsSent !== "number" || typeof pair.bytesSent !== "number"
    ) return r;
    [r.host, r.port] = addr;
    const to = this.#ways.has("ffi") ? sockaddrIn(r.host, r.port) : undefined;
    const fd = to && udpBatch() ? openUdpFd(tr.socket) : undefined;
    if (fd) {
      r.way = "ffi";
      r.fd = fd;
      r.to = to;
      return r;
    }
    const handle = this.#ways.has("handle") && net.isIP(r.host) !== 0 ? udpHandle(tr.socket) : undefined;
    if (handle) {
      r.way = "handle";
      r.handle = handle;
    }
    return r;
  }
}

const ALL_WAYS: ReadonlySet<SendWay> = new Set(["ffi", "handle", "werift"]);
