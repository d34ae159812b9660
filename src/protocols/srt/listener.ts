/**
 * The listener side of SRT on one UDP port (draft-sharabayko-srt §4.3.1): stateless INDUCTION
 * answers with a SYN cookie, CONCLUSION checks (version, extensions, key material, admission),
 * then one SrtConnection per caller, demultiplexed by destination socket id. A 10 ms timer drives
 * every connection.
 */
import { EstuaryError } from "../../core/errors.ts";
import type { Logger } from "../../log/mod.ts";
import { type ConnectionParams, nowUs, SrtConnection } from "./connection.ts";
import { CookieJar } from "./cookie.ts";
import { encodeHsReq, ExtType } from "./extensions.ts";
import {
  decodeHandshake,
  encodeHandshake,
  encodePeerIp,
  ExtFlag,
  type Handshake,
  type HandshakeExtension,
  HandshakeType,
  rejectionType,
  RejectReason,
  rejectReasonText,
  SRT_MAGIC,
} from "./handshake.ts";
import { BadSecretError, openKeyMaterial } from "./key_material.ts";
import { Keying } from "./keying.ts";
import {
  agree,
  cipherCode,
  type ConclusionRequest,
  DEFAULT_FLOW_WINDOW,
  DEFAULT_MTU,
  readConclusion,
  Refusal,
  responseHsReq,
} from "./negotiation.ts";
import { ControlType, decodePacket, destinationId, encodeControlPacket, HEADER_SIZE } from "./packet.ts";
import { sameAddr, UdpSocket } from "./udp.ts";

export interface ConnectRequest {
  remote: Deno.NetAddr;
  streamId: string;
  peerSocketId: number;
  /** 16/24/32 when the caller encrypts, else 0. */
  keyLength: number;
}

export type Admission =
  /** `abandon` undoes the admission when the connection cannot be made after all. */
  | { accept: true; onConnection(conn: SrtConnection): void; abandon?(): void }
  | { accept: false; reason: number; message: string };

/** What a reload may change on a running listener: read at each handshake. */
export interface ListenerReloadable {
  /** Receive latency we ask for, and the least we grant the peer (ms). */
  latencyMs: number;
  passphrase?: string;
  /** Advertised key length (0 = let the caller choose). */
  pbkeylen?: number;
  peerIdleTimeoutMs: number;
  /**
   * Connections at once, in total and from one address (0 = no limit; 1000 each when absent);
   * a caller past either is refused with SRT_REJ_BACKLOG.
   */
  maxSessions?: number;
  maxSessionsPerIp?: number;
}

export interface ListenerOptions extends ListenerReloadable {
  hostname: string;
  port: number;
  log: Logger;
  admit(req: ConnectRequest): Promise<Admission>;
  /** Key refresh for what we send (packets per key, announce distance); libsrt's defaults otherwise. */
  kmRefreshRate?: number;
  kmPreAnnounce?: number;
}

interface Session {
  conn: SrtConnection;
  remote: Deno.NetAddr;
  peerKey: string;
  response: Uint8Array;
}

export interface ListenerStats {
  sessions: number;
  /** Callers admitted or checked right now (handshake under way). */
  pending: number;
  handshakes: number;
  rejected: number;
  badPackets: number;
  strayPackets: number;
}

export class SrtListener {
  #opts: ListenerOptions;
  #udp: UdpSocket;
  #cookies = new CookieJar();
  #sessions = new Map<number, Session>();
  #byPeer = new Map<string, Session>();
  #pending = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #draining = false;
  #log: Logger;
  readonly counters = { handshakes: 0, rejected: 0, badPackets: 0, strayPackets: 0 };

  constructor(opts: ListenerOptions) {
    this.#opts = opts;
    this.#log = opts.log;
    this.#udp = UdpSocket.bind(opts.hostname, opts.port, (err) => {
      if (!(err instanceof EstuaryError)) this.#log.warn("srt socket error", { error: err });
    });
  }

  get port(): number {
    return this.#udp.addr.port;
  }

  get sessions(): SrtConnection[] {
    return [...this.#sessions.values()].map((s) => s.conn);
  }

  stats(): ListenerStats {
    return { sessions: this.#sessions.size, pending: this.#pending.size, ...this.counters };
  }

  /** Why one more connection from `ip` is over a limit (the element named), or undefined. */
  #full(ip: string): string | undefined {
    const { maxSessions = 1000, maxSessionsPerIp = 1000 } = this.#opts;
    if (maxSessions > 0 && this.#sessions.size >= maxSessions) {
      return `${this.#sessions.size} connections open: the listener's limit (maxconns)`;
    }
    if (maxSessionsPerIp > 0) {
      // A scan per handshake: handshakes are rare next to packets, and the map stays small.
      let n = 0;
      for (const s of this.#sessions.values()) if (s.remote.hostname === ip) n++;
      if (n >= maxSessionsPerIp) return `${n} connections open from ${ip}: the limit (maxconnsperip)`;
    }
    return undefined;
  }

  /** A reload: new handshakes use these; the idle limit also reaches connections already up. */
  configure(o: ListenerReloadable): void {
    Object.assign(this.#opts, {
      latencyMs: o.latencyMs,
      passphrase: o.passphrase,
      pbkeylen: o.pbkeylen,
      peerIdleTimeoutMs: o.peerIdleTimeoutMs,
      maxSessions: o.maxSessions,
      maxSessionsPerIp: o.maxSessionsPerIp,
    });
    for (const s of this.#sessions.values()) s.conn.setPeerIdleTimeout(o.peerIdleTimeoutMs);
  }

  /** The UDP socket's buffer sizes in bytes (0: as it is); what the kernel gave (see UdpSocket). */
  setBuffers(recv: number, send: number): { recv: number; send: number } | undefined {
    return this.#udp.setBuffers(recv, send);
  }

  /**
   * The listener moved to another address or port: this socket stops taking new callers but keeps
   * carrying its connections (they are multiplexed on it), and closes after the last one ends.
   */
  async drain(): Promise<void> {
    if (this.#draining || this.#closed) return;
    this.#draining = true;
    while (this.#sessions.size > 0 && !this.#closed) {
      await Promise.race([...this.#sessions.values()].map((s) => s.conn.closed));
    }
    await this.close();
  }

  start(): void {
    this.#udp.listen(this.#onDatagram);
    this.#timer = setInterval(() => {
      const now = nowUs();
      for (const s of this.#sessions.values()) {
        try {
          s.conn.tick(now);
        } catch (err) {
          // Whatever a session trips over ends that session, never the process.
          s.conn.close(`internal error: ${(err as Error).message}`);
          this.#log.error("srt session failed", { error: err });
        }
      }
    }, 10);
  }

  #onDatagram = (data: Uint8Array, from: Deno.NetAddr, now: number) => {
    if (data.length < HEADER_SIZE) {
      this.counters.badPackets++;
      return;
    }
    const dest = destinationId(data);
    if (dest === 0) return this.#onHandshake(data, from, now);
    const s = this.#sessions.get(dest);
    if (!s || !sameAddr(s.remote, from)) {
      this.counters.strayPackets++;
      return;
    }
    try {
      s.conn.handle(decodePacket(data), now);
    } catch (err) {
      this.counters.badPackets++;
      s.conn.close(`bad packet: ${(err as Error).message}`);
    }
  };

  #onHandshake(data: Uint8Array, from: Deno.NetAddr, now: number) {
    let hs: Handshake, timestamp: number;
    try {
      const p = decodePacket(data);
      if (!p.control || p.type !== ControlType.Handshake) throw new Error("not a handshake");
      hs = decodeHandshake(p.cif);
      timestamp = p.timestamp;
    } catch {
      this.counters.badPackets++;
      return;
    }
    // Moved away: a caller of the old address finds no listener here (as if the port were closed).
    if (this.#draining && !this.#byPeer.has(`${from.hostname}:${from.port}/${hs.socketId}`)) return;
    if (hs.type === HandshakeType.Induction) return this.#induction(hs, from);
    if (hs.type !== HandshakeType.Conclusion) return; // rendezvous types have no place here
    if (!this.#cookies.check(hs.cookie, from.hostname, from.port)) {
      this.counters.badPackets++; // a stale or forged cookie: ignored silently, as libsrt does
      return;
    }
    const key = `${from.hostname}:${from.port}/${hs.socketId}`;
    const known = this.#byPeer.get(key);
    if (known) return this.#udp.send(known.response, from); // our response was lost
    if (this.#pending.has(key)) return;
    this.counters.handshakes++;
    const req = readConclusion(hs);
    if (req instanceof Refusal) return this.#reject(hs, from, req.reason, req.message);
    this.#pending.add(key);
    this.#conclude(hs, req, { from, key, timestamp, now }).catch((err) => {
      this.#log.error("srt handshake failed", { remote: `${from.hostname}:${from.port}`, error: err });
      this.#reject(hs, from, RejectReason.Ipe, String(err));
    }).finally(() => this.#pending.delete(key));
  }

  #induction(hs: Handshake, from: Deno.NetAddr) {
    const reply: Handshake = {
      ...hs,
      version: 5,
      encryption: this.#opts.passphrase ? cipherCode(this.#opts.pbkeylen ?? 0) : 0,
      extensionField: SRT_MAGIC,
      cookie: this.#cookies.bake(from.hostname, from.port),
      extensions: [],
    };
    this.#sendHandshake(reply, from, 0);
  }

  async #conclude(
    hs: Handshake,
    req: ConclusionRequest,
    at: { from: Deno.NetAddr; key: string; timestamp: number; now: number },
  ) {
    const { from } = at;
    const passphrase = this.#opts.passphrase ?? "";
    let keying: Keying | undefined;
    if (req.km && !passphrase) {
      return this.#reject(
        hs,
        from,
        RejectReason.Unsecure,
        "caller encrypts but this server has no passphrase",
      );
    }
    if (!req.km && passphrase) {
      return this.#reject(hs, from, RejectReason.Unsecure, "a passphrase is required");
    }
    if (req.km) {
      try {
        const keys = await openKeyMaterial(req.km, passphrase);
        keying = new Keying({
          passphrase,
          keys,
          refreshRate: this.#opts.kmRefreshRate,
          preAnnounce: this.#opts.kmPreAnnounce,
        });
      } catch (err) {
        const bad = err instanceof BadSecretError;
        return this.#reject(
          hs,
          from,
          bad ? RejectReason.BadSecret : RejectReason.Unsecure,
          (err as Error).message,
        );
      }
    }
    if (this.#closed) return;
    const full = this.#full(from.hostname);
    if (full) return this.#reject(hs, from, RejectReason.Backlog, full);
    const admission = await this.#opts.admit({
      remote: from,
      streamId: req.streamId,
      peerSocketId: hs.socketId,
      keyLength: keying?.keyLength ?? 0,
    });
    if (!admission.accept) return this.#reject(hs, from, admission.reason, admission.message);
    if (this.#closed || this.#draining) return admission.abandon?.();

    const a = agree(req.hsReq, this.#opts.latencyMs);
    const localId = this.#newSocketId();
    const startUs = nowUs();
    const params: ConnectionParams = {
      localId,
      peerId: hs.socketId,
      isn: hs.isn,
      startUs,
      peerTimeBaseUs: at.now - at.timestamp,
      peerBaseTimestamp: at.timestamp,
      recvLatencyMs: a.recvLatencyMs,
      peerLatencyMs: a.peerLatencyMs,
      peerFlowWindow: hs.flowWindow,
      peerNakReport: a.peerNakReport,
      tooLateDrop: a.tooLateDrop,
      keying,
    };
    const conn = new SrtConnection({
      ...params,
      send: (b) => this.#udp.send(b, from),
      log: this.#log,
      peerIdleTimeoutMs: this.#opts.peerIdleTimeoutMs,
    });
    const extensions: HandshakeExtension[] = [{
      type: ExtType.HsRsp,
      data: encodeHsReq(responseHsReq(req.hsReq, a)),
    }];
    if (req.km) extensions.push({ type: ExtType.KmRsp, data: req.km });
    const reply: Handshake = {
      ...hs,
      encryption: cipherCode(keying?.keyLength ?? 0),
      extensionField: ExtFlag.HsReq | (req.km ? ExtFlag.KmReq : 0),
      mtu: Math.min(DEFAULT_MTU, hs.mtu),
      flowWindow: DEFAULT_FLOW_WINDOW,
      socketId: localId,
      peerIp: encodePeerIp(from.hostname),
      extensions,
    };
    const response = this.#packet(reply, hs.socketId, startUs);
    const session: Session = { conn, remote: from, peerKey: at.key, response };
    this.#sessions.set(localId, session);
    this.#byPeer.set(at.key, session);
    conn.closed.then(() => {
      this.#sessions.delete(localId);
      if (this.#byPeer.get(at.key) === session) this.#byPeer.delete(at.key);
    });
    // The response first: a libsrt caller discards data that arrives before it.
    this.#udp.send(response, from);
    admission.onConnection(conn);
  }

  #reject(hs: Handshake, from: Deno.NetAddr, reason: number, message: string) {
    this.counters.rejected++;
    this.#log.warn("srt connection rejected", {
      remote: `${from.hostname}:${from.port}`,
      code: reason,
      reason: rejectReasonText(reason),
      why: message,
    });
    this.#sendHandshake({ ...hs, type: rejectionType(reason), extensions: [] }, from, 0);
  }

  #sendHandshake(hs: Handshake, to: Deno.NetAddr, startUs: number) {
    this.#udp.send(this.#packet(hs, hs.socketId, startUs), to);
  }

  #packet(hs: Handshake, destId: number, startUs: number): Uint8Array {
    return encodeControlPacket({
      type: ControlType.Handshake,
      subtype: 0,
      info: 0,
      timestamp: (nowUs() - startUs) >>> 0,
      destId,
      cif: encodeHandshake(hs),
    });
  }

  #newSocketId(): number {
    for (;;) {
      const id = crypto.getRandomValues(new Uint32Array(1))[0] & 0x3fffffff;
      if (id !== 0 && !this.#sessions.has(id)) return id;
    }
  }

  /** Closes every session (SHUTDOWN to each peer) and the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const s of [...this.#sessions.values()]) s.conn.close("server stopping");
    for (let i = 0; i < 20 && this.#udp.queued > 0; i++) await new Promise((r) => setTimeout(r, 5));
    await this.#udp.close();
  }
}
