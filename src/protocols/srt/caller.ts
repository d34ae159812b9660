/**
 * Caller mode (draft-sharabayko-srt §4.3.1): our own SRT client, for tests and for pushing or
 * pulling streams to other servers. INDUCTION, then CONCLUSION with HSREQ, SID and KMREQ, each
 * resent every 250 ms until the listener answers or the connect timeout passes.
 */
import { EstuaryError } from "../../core/errors.ts";
import { type Logger, nullLogger } from "../../log/mod.ts";
import { nowUs, SrtConnection } from "./connection.ts";
import { decodeHsReq, decodeKmState, encodeHsReq, encodeStringExt, ExtType, KmState } from "./extensions.ts";
import {
  decodeHandshake,
  encodeHandshake,
  encodePeerIp,
  ExtFlag,
  type Handshake,
  type HandshakeExtension,
  HandshakeType,
  rejectionReason,
  RejectReason,
  rejectReasonText,
  SRT_MAGIC,
  UDT_DGRAM,
} from "./handshake.ts";
import { newStreamKeys, sealKeyMaterial, type StreamKeys } from "./key_material.ts";
import { Keying } from "./keying.ts";
import { adopt, cipherCode, DEFAULT_FLOW_WINDOW, DEFAULT_MTU, requestHsReq } from "./negotiation.ts";
import { ControlType, decodePacket, destinationId, encodeControlPacket, HEADER_SIZE } from "./packet.ts";
import { randomSeq } from "./sequence.ts";
import { sameAddr, UdpSocket } from "./udp.ts";

export interface CallerOptions {
  hostname: string;
  port: number;
  streamId?: string;
  passphrase?: string;
  /** 16, 24 or 32 (default 16 when a passphrase is set). */
  pbkeylen?: number;
  latencyMs?: number;
  connectTimeoutMs?: number;
  peerIdleTimeoutMs?: number;
  log?: Logger;
  kmRefreshRate?: number;
  kmPreAnnounce?: number;
  /** Initial sequence number (random by default); tests use it to cross the 2^31 wrap. */
  isn?: number;
}

/** The listener refused us; `reason` is libsrt's code (e.g. 10 wrong passphrase, 1403 forbidden). */
export class SrtRejectedError extends EstuaryError {
  readonly reason: number;
  constructor(reason: number, message?: string) {
    super("srt_rejected", message ?? `SRT connection rejected: ${rejectReasonText(reason)} (${reason})`);
    this.reason = reason;
  }
}

const RETRY_MS = 250;

/** A connected caller: the connection plus the socket and timer it owns. */
export class SrtCaller {
  readonly connection: SrtConnection;
  #udp: UdpSocket;
  #timer: ReturnType<typeof setInterval>;

  constructor(udp: UdpSocket, conn: SrtConnection, peer: Deno.NetAddr) {
    this.#udp = udp;
    this.connection = conn;
    udp.listen((data, from, now) => {
      if (data.length < HEADER_SIZE || !sameAddr(from, peer) || destinationId(data) !== conn.localId) return;
      try {
        conn.handle(decodePacket(data), now);
      } catch (err) {
        conn.close(`bad packet: ${(err as Error).message}`);
      }
    });
    this.#timer = setInterval(() => {
      try {
        conn.tick(nowUs());
      } catch (err) {
        conn.close(`internal error: ${(err as Error).message}`);
      }
    }, 10);
    conn.closed.then(() => this.#shutdown());
  }

  async #shutdown() {
    clearInterval(this.#timer);
    for (let i = 0; i < 20 && this.#udp.queued > 0; i++) await new Promise((r) => setTimeout(r, 5));
    await this.#udp.close();
  }

  /** Sends SHUTDOWN and releases the socket. */
  async close(reason = "closed by caller"): Promise<void> {
    this.connection.close(reason);
    await this.#shutdown();
  }

  /** Stops without a word to the peer, as a crashed or unplugged caller would. */
  async drop(): Promise<void> {
    this.connection.close("dropped", false);
    await this.#shutdown();
  }
}

/** Connects to an SRT listener; rejects with SrtRejectedError or a timeout error. */
export async function connectSrt(opts: CallerOptions): Promise<SrtCaller> {
  const log = opts.log ?? nullLogger;
  const latencyMs = opts.latencyMs ?? 120;
  const hostname = opts.hostname === "localhost" ? "127.0.0.1" : opts.hostname;
  const peer: Deno.NetAddr = { transport: "udp", hostname, port: opts.port };
  const udp = UdpSocket.bind(hostname.includes(":") ? "::" : "0.0.0.0", 0);
  const socketId = (crypto.getRandomValues(new Uint32Array(1))[0] & 0x3fffffff) || 1;
  const isn = opts.isn ?? randomSeq();
  const startUs = nowUs();
  let keys: StreamKeys | undefined;
  let km: Uint8Array | undefined;
  if (opts.passphrase) {
    keys = await newStreamKeys(opts.passphrase, opts.pbkeylen || 16);
    km = await sealKeyMaterial(keys);
  }

  const base: Handshake = {
    version: 4,
    encryption: 0,
    extensionField: UDT_DGRAM,
    isn,
    mtu: DEFAULT_MTU,
    flowWindow: DEFAULT_FLOW_WINDOW,
    type: HandshakeType.Induction,
    socketId,
    cookie: 0,
    peerIp: encodePeerIp(hostname),
    extensions: [],
  };
  let request = base;
  const packet = (hs: Handshake) =>
    encodeControlPacket({
      type: ControlType.Handshake,
      subtype: 0,
      info: 0,
      timestamp: (nowUs() - startUs) >>> 0,
      destId: 0,
      cif: encodeHandshake(hs),
    });

  try {
    const response = await new Promise<{ hs: Handshake; timestamp: number; at: number }>(
      (resolve, reject) => {
        const send = () => udp.send(packet(request), peer);
        const retry = setInterval(send, RETRY_MS);
        const timeout = setTimeout(() => {
          clearInterval(retry);
          reject(
            new SrtRejectedError(
              RejectReason.Timeout,
              `SRT connect to ${opts.hostname}:${opts.port} timed out`,
            ),
          );
        }, opts.connectTimeoutMs ?? 3000);
        const done = () => {
          clearInterval(retry);
          clearTimeout(timeout);
        };
        udp.listen((data, from, now) => {
          if (data.length < HEADER_SIZE || !sameAddr(from, peer) || destinationId(data) !== socketId) return;
          // A copy: the socket reuses its buffer, and the conclusion is read after this callback, when a
          // listener that sends at once (a player's media) has already written the next datagram over it.
          const p = decodePacket(data.slice());
          if (!p.control || p.type !== ControlType.Handshake) return;
          const hs = decodeHandshake(p.cif);
          const reason = rejectionReason(hs.type);
          if (reason !== undefined) {
            done();
            return reject(new SrtRejectedError(reason));
          }
          if (request.type === HandshakeType.Induction && hs.type === HandshakeType.Induction) {
            if (hs.version < 5) {
              done();
              return reject(new SrtRejectedError(RejectReason.Version, "the listener only speaks HSv4"));
            }
            if (hs.extensionField !== SRT_MAGIC) log.warn("srt induction response without the SRT magic");
            request = conclusion(base, hs.cookie, opts.streamId, km, keys, latencyMs);
            send();
          } else if (request.type === HandshakeType.Conclusion && hs.type === HandshakeType.Conclusion) {
            done();
            resolve({ hs, timestamp: p.timestamp, at: now });
          }
        });
        send();
      },
    );
    const conn = open(response, { opts, log, udp, peer, socketId, isn, startUs, keys, km, latencyMs });
    return new SrtCaller(udp, conn, peer);
  } catch (err) {
    await udp.close();
    throw err;
  }
}

function conclusion(
  base: Handshake,
  cookie: number,
  streamId: string | undefined,
  km: Uint8Array | undefined,
  keys: StreamKeys | undefined,
  latencyMs: number,
): Handshake {
  const extensions: HandshakeExtension[] = [{
    type: ExtType.HsReq,
    data: encodeHsReq(requestHsReq(latencyMs)),
  }];
  if (streamId) extensions.push({ type: ExtType.Sid, data: encodeStringExt(streamId) });
  if (km) extensions.push({ type: ExtType.KmReq, data: km });
  return {
    ...base,
    version: 5,
    encryption: cipherCode(keys?.keyLength ?? 0),
    extensionField: ExtFlag.HsReq | (streamId ? ExtFlag.Config : 0) | (km ? ExtFlag.KmReq : 0),
    type: HandshakeType.Conclusion,
    cookie,
    extensions,
  };
}

function open(
  response: { hs: Handshake; timestamp: number; at: number },
  c: {
    opts: CallerOptions;
    log: Logger;
    udp: UdpSocket;
    peer: Deno.NetAddr;
    socketId: number;
    isn: number;
    startUs: number;
    keys?: StreamKeys;
    km?: Uint8Array;
    latencyMs: number;
  },
): SrtConnection {
  const { hs } = response;
  if (hs.version !== 5) {
    throw new SrtRejectedError(RejectReason.Version, `listener answered version ${hs.version}`);
  }
  if (hs.isn !== c.isn) {
    throw new SrtRejectedError(RejectReason.Rogue, "listener changed our initial sequence number");
  }
  const rsp = hs.extensions.find((e) => e.type === ExtType.HsRsp);
  if (!rsp) throw new SrtRejectedError(RejectReason.Rogue, "conclusion response without HSRSP");
  const kmRsp = hs.extensions.find((e) => e.type === ExtType.KmRsp);
  let keying: Keying | undefined;
  if (c.keys) {
    if (!kmRsp) throw new SrtRejectedError(RejectReason.Unsecure, "listener did not answer our key material");
    if (kmRsp.data.length === 4) {
      const state = decodeKmState(kmRsp.data);
      const reason = state === KmState.BadSecret ? RejectReason.BadSecret : RejectReason.Unsecure;
      throw new SrtRejectedError(reason);
    }
    if (!equal(kmRsp.data, c.km!)) {
      throw new SrtRejectedError(RejectReason.BadSecret, "KMRSP differs from our KMREQ");
    }
    keying = new Keying({
      passphrase: c.opts.passphrase!,
      keys: c.keys,
      refreshRate: c.opts.kmRefreshRate,
      preAnnounce: c.opts.kmPreAnnounce,
    });
  } else if (kmRsp && kmRsp.data.length > 4) {
    throw new SrtRejectedError(RejectReason.Unsecure, "listener encrypts but we have no passphrase");
  }
  const a = adopt(decodeHsReq(rsp.data));
  return new SrtConnection({
    localId: c.socketId,
    peerId: hs.socketId,
    isn: c.isn,
    startUs: c.startUs,
    peerTimeBaseUs: response.at - response.timestamp,
    peerBaseTimestamp: response.timestamp,
    recvLatencyMs: a.recvLatencyMs || c.latencyMs,
    peerLatencyMs: a.peerLatencyMs || c.latencyMs,
    peerFlowWindow: hs.flowWindow,
    peerNakReport: a.peerNakReport,
    tooLateDrop: a.tooLateDrop,
    keying,
    send: (b) => c.udp.send(b, c.peer),
    log: c.log,
    peerIdleTimeoutMs: c.opts.peerIdleTimeoutMs ?? 5000,
  });
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
