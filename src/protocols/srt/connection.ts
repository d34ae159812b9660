/**
 * One SRT connection after the handshake (either side): data and control packet handling, the
 * ACK/ACKACK/NAK timers, keepalive, peer idle timeout and shutdown, plus the statistics the API
 * shows. Its owner (listener or caller) feeds datagrams to `handle` and calls `tick` every 10 ms.
 */
import type { Logger } from "../../log/mod.ts";
import {
  decodeAck,
  decodeDropRequest,
  decodeLossList,
  encodeAck,
  encodeDropRequest,
  encodeLossList,
} from "./control.ts";
import type { SeqRange } from "./control.ts";
import { ExtType } from "./extensions.ts";
import type { Keying } from "./keying.ts";
import {
  ControlType,
  type DataPacket,
  encodeControlPacket,
  encodeDataPacket,
  LIVE_PAYLOAD_SIZE,
  type Packet,
  Position,
} from "./packet.ts";
import { Receiver } from "./receiver.ts";
import { RttEstimator } from "./rtt.ts";
import { RateMeter, type SrtStats } from "./stats.ts";

export type { SrtStats };
import { Sender } from "./sender.ts";

export interface ConnectionParams {
  localId: number;
  peerId: number;
  /** The caller's initial sequence number: both directions start there. */
  isn: number;
  /** Our timestamp origin (µs, performance clock). */
  startUs: number;
  /** Local time (µs) of peer timestamp 0, and the handshake timestamp it came from. */
  peerTimeBaseUs: number;
  peerBaseTimestamp: number;
  /** TSBPD delay for what we receive, and the peer's for what we send (ms). */
  recvLatencyMs: number;
  peerLatencyMs: number;
  peerFlowWindow: number;
  peerNakReport: boolean;
  tooLateDrop: boolean;
  keying?: Keying;
}

export interface ConnectionOptions extends ConnectionParams {
  /** Sends one datagram to the peer. */
  send(bytes: Uint8Array): void;
  log: Logger;
  peerIdleTimeoutMs: number;
}

const SYN_US = 10_000;
const KEEPALIVE_US = 1_000_000;
const LIGHT_ACK_PACKETS = 64;
const EMPTY = new Uint8Array(0);

export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}

export class SrtConnection {
  readonly localId: number;
  readonly peerId: number;
  readonly receiver: Receiver;
  readonly sender: Sender;
  /** Delivered payloads (TSBPD order), e.g. TS bytes of a publisher. */
  onData: (payload: Uint8Array) => void = () => {};
  #opts: ConnectionOptions;
  #closed = false;
  #closeReason = "";
  #resolveClosed!: (reason: string) => void;
  readonly closed: Promise<string> = new Promise((r) => this.#resolveClosed = r);
  readonly rtt = new RttEstimator();
  #lastRecvUs: number;
  #lastSentUs = 0;
  #lastAckSeq = -1;
  #lastAckAt = 0;
  #ackAcked = -1;
  #sinceLightAck = 0;
  #lastNakAt = 0;
  #lastAckProgressUs: number;
  #rate: RateMeter;
  #drain: (() => void)[] = [];

  constructor(opts: ConnectionOptions) {
    this.#opts = opts;
    this.localId = opts.localId;
    this.peerId = opts.peerId;
    const now = nowUs();
    this.#lastRecvUs = this.#lastAckProgressUs = now;
    this.#rate = new RateMeter(now);
    this.receiver = new Receiver({
      isn: opts.isn,
      latencyMs: opts.recvLatencyMs,
      timeBaseUs: opts.peerTimeBaseUs,
      baseTimestamp: opts.peerBaseTimestamp,
      tooLateDrop: opts.tooLateDrop,
      deliver: (p) => this.onData(p),
    });
    this.sender = new Sender({
      isn: opts.isn,
      peerLatencyMs: opts.peerLatencyMs,
      flowWindow: opts.peerFlowWindow,
      tooLateDrop: opts.tooLateDrop,
      encode: this.#encode,
    });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** A reload's `<srt><maxidle>` reaches connections already up. */
  setPeerIdleTimeout(ms: number): void {
    this.#opts.peerIdleTimeoutMs = ms;
  }

  get closeReason(): string {
    return this.#closeReason;
  }

  /** Sends one payload (at most one packet's worth) as one message. */
  send(payload: Uint8Array): boolean {
    if (this.#closed) return false;
    const now = nowUs();
    this.sender.push(payload, now);
    this.#rate.outBytes += payload.length;
    this.#flush(now);
    return true;
  }

  /**
   * Sends a byte stream cut into live payloads (7 TS packets each). Resolves once the packets are
   * out, or later while the peer's flow window is full (back-pressure for the fan-out).
   */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`SRT connection closed: ${this.#closeReason}`));
    const now = nowUs();
    for (let o = 0; o < bytes.length; o += LIVE_PAYLOAD_SIZE) {
      this.sender.push(bytes.subarray(o, Math.min(bytes.length, o + LIVE_PAYLOAD_SIZE)), now);
    }
    this.#rate.outBytes += bytes.length;
    this.#flush(now);
    if (this.sender.unsent === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drain.push(resolve));
  }

  handle(p: Packet, now: number): void {
    if (this.#closed) return;
    this.#lastRecvUs = now;
    if (!p.control) return this.#onData(p, now);
    switch (p.type) {
      case ControlType.Ack:
        return this.#onAck(p.info, p.cif, now);
      case ControlType.AckAck:
        return this.#onAckAck(p.info, now);
      case ControlType.Nak:
        return this.#onNak(decodeLossList(p.cif), now);
      case ControlType.DropReq: {
        const [from, to] = decodeDropRequest(p.cif);
        return this.receiver.dropRange(from, to);
      }
      case ControlType.Shutdown:
        this.receiver.flush();
        return this.close("peer closed the connection", false);
      case ControlType.UserDefined:
        return this.#onUserDefined(p.subtype, p.cif);
      default:
        return; // keepalive, handshake repeats, congestion warning, peer error
    }
  }

  #onData(p: DataPacket, now: number) {
    let payload: Uint8Array | undefined = p.payload;
    if (p.key !== 0) payload = this.#opts.keying?.decrypt(p.key, p.seq, payload);
    else payload = payload.slice();
    this.#rate.inBytes += p.payload.length;
    this.#rate.pkts++;
    const loss = this.receiver.push(p.seq, p.timestamp, payload, p.retransmitted, now);
    if (loss) this.#control(ControlType.Nak, 0, encodeLossList([loss]));
    if (++this.#sinceLightAck >= LIGHT_ACK_PACKETS) {
      this.#sinceLightAck = 0;
      this.#control(ControlType.Ack, 0, encodeAck({ lastAckSeq: this.receiver.ackSeq() }));
    }
  }

  #onAck(ackNo: number, cif: Uint8Array, now: number) {
    const a = decodeAck(cif);
    if (ackNo !== 0) this.#control(ControlType.AckAck, ackNo, EMPTY);
    if (a.rttUs !== undefined && a.rttVarUs !== undefined) this.rtt.fromPeer(a.rttUs, a.rttVarUs);
    const before = this.sender.inFlight;
    this.sender.onAck(a.lastAckSeq, a.availableBuffer);
    this.#opts.keying?.onAck(a.lastAckSeq);
    if (this.sender.inFlight < before) this.#lastAckProgressUs = now;
    this.#keyRefresh(now);
    this.#flush(now);
  }

  #onAckAck(ackNo: number, now: number) {
    const seq = this.rtt.onAckAck(ackNo, now);
    if (seq !== undefined) this.#ackAcked = seq;
  }

  #onNak(ranges: SeqRange[], now: number) {
    for (const [from, to] of this.sender.onNak(ranges)) {
      this.#control(ControlType.DropReq, 0, encodeDropRequest(from, to));
    }
    this.#flush(now);
  }

  #onUserDefined(subtype: number, cif: Uint8Array) {
    const k = this.#opts.keying;
    if (!k) return;
    if (subtype === ExtType.KmReq) {
      const bytes = cif.slice();
      k.onKmRequest(bytes).then(
        (echo) => this.#control(ControlType.UserDefined, 0, echo, ExtType.KmRsp),
        // libsrt with enforced encryption does not answer a KMREQ it cannot use, and stays up.
        (err) => this.#opts.log.warn("srt key refresh from peer failed", { error: err }),
      );
    } else if (subtype === ExtType.KmRsp) k.onKmResponse(cif.slice());
  }

  /** The 10 ms timer: TSBPD delivery, ACK, periodic NAK, drops, keepalive and idle timeout. */
  tick(now: number): void {
    if (this.#closed) return;
    if (now - this.#lastRecvUs > this.#opts.peerIdleTimeoutMs * 1000) {
      this.close(`peer idle for more than ${this.#opts.peerIdleTimeoutMs} ms`, false);
      return;
    }
    this.receiver.tick(now);
    if (this.#closed) return; // a delivery may close us
    this.#sendAck(now);
    const nakEvery = Math.max(20_000, this.rtt.timeoutUs / 2);
    if (now - this.#lastNakAt >= nakEvery) {
      this.#lastNakAt = now;
      const loss = this.receiver.lossRanges();
      if (loss.length) this.#control(ControlType.Nak, 0, encodeLossList(loss));
    }
    this.sender.dropTooLate(now);
    const rto = this.rtt.timeoutUs + 2 * SYN_US;
    if (!this.#opts.peerNakReport && this.sender.inFlight > 0 && now - this.#lastAckProgressUs > rto) {
      this.sender.resendUnacked(now, rto);
      this.#lastAckProgressUs = now;
    }
    this.#keyRefresh(now);
    this.#flush(now);
    if (now - this.#lastSentUs > KEEPALIVE_US) this.#control(ControlType.Keepalive, 0, EMPTY);
    this.#rate.update(now);
  }

  #sendAck(now: number) {
    const seq = this.receiver.ackSeq();
    const fresh = seq !== this.#lastAckSeq;
    if (!fresh && (seq === this.#ackAcked || now - this.#lastAckAt < this.rtt.timeoutUs)) return;
    const no = this.rtt.nextAck(now, seq);
    this.#lastAckSeq = seq;
    this.#lastAckAt = now;
    const r = this.#rate;
    this.#control(
      ControlType.Ack,
      no,
      encodeAck({
        lastAckSeq: seq,
        rttUs: this.rtt.rttUs,
        rttVarUs: this.rtt.varUs,
        availableBuffer: this.receiver.availableBuffer,
        packetsPerSecond: r.pps,
        linkCapacity: Math.max(r.pps, 1000),
        bytesPerSecond: r.bps,
      }),
    );
  }

  #keyRefresh(now: number) {
    const km = this.#opts.keying?.pendingRequest(now, this.rtt.rttUs);
    if (km) this.#control(ControlType.UserDefined, 0, km, ExtType.KmReq);
  }

  #flush(now: number) {
    const gap = this.rtt.timeoutUs;
    for (let b; (b = this.sender.next(now, gap));) this.#transmit(b, now);
    if (this.#drain.length && this.sender.unsent === 0) {
      const waiters = this.#drain;
      this.#drain = [];
      for (const w of waiters) w();
    }
  }

  #encode = (seq: number, msgNo: number, submitUs: number, payload: Uint8Array): Uint8Array => {
    let key = 0, body = payload;
    const k = this.#opts.keying;
    if (k) ({ key, bytes: body } = k.encrypt(seq, payload));
    return encodeDataPacket({
      seq,
      position: Position.Solo,
      inOrder: false,
      key,
      retransmitted: false,
      msgNo,
      timestamp: (submitUs - this.#opts.startUs) >>> 0,
      destId: this.peerId,
      payload: body,
    });
  };

  #control(type: number, info: number, cif: Uint8Array, subtype = 0) {
    const now = nowUs();
    this.#transmit(
      encodeControlPacket({
        type,
        subtype,
        info,
        timestamp: (now - this.#opts.startUs) >>> 0,
        destId: this.peerId,
        cif,
      }),
      now,
    );
  }

  #transmit(bytes: Uint8Array, now: number) {
    this.#lastSentUs = now;
    this.#opts.send(bytes);
  }

  /** Ends the connection; `notify` sends SHUTDOWN to the peer first. Idempotent. */
  close(reason: string, notify = true): void {
    if (this.#closed) return;
    if (notify) this.#control(ControlType.Shutdown, 0, new Uint8Array(4));
    this.#closed = true;
    this.#closeReason = reason;
    const waiters = this.#drain;
    this.#drain = [];
    for (const w of waiters) w();
    this.#resolveClosed(reason);
  }

  stats(): SrtStats {
    const rs = this.receiver.stats, ss = this.sender.stats;
    return {
      rttMs: Math.round(this.rtt.rttUs / 100) / 10,
      rttVarMs: Math.round(this.rtt.varUs / 100) / 10,
      latencyMs: this.#opts.recvLatencyMs,
      peerLatencyMs: this.#opts.peerLatencyMs,
      encrypted: this.#opts.keying !== undefined,
      keyRefreshes: this.#opts.keying?.stats.refreshes ?? 0,
      recv: {
        packets: rs.packets,
        bytes: rs.bytes,
        lost: rs.lost,
        retransmitted: rs.retransmitted,
        dropped: rs.dropped,
        undecrypted: rs.undecrypted,
        bitrateKbps: this.#rate.inKbps,
      },
      send: {
        packets: ss.packets,
        bytes: ss.bytes,
        retransmits: ss.retransmits,
        lossReported: ss.lossReported,
        dropped: ss.dropped,
        inFlight: this.sender.inFlight,
        bitrateKbps: this.#rate.outKbps,
      },
    };
  }
}
