/**
 * UDP port pairs for RTP (even port) and RTCP (port + 1), taken from the configured range.
 * A publisher's RTP socket gets `<sock><recvbuffer>` as its receive buffer (setsockopt through FFI on
 * its descriptor; node:dgram's setRecvBufferSize would size the buffer it allocates per datagram in
 * Deno 2.9, not the socket's), so a burst waits while the event loop is busy.
 *
 * Each receive loop reads into one buffer of its own, reused for every datagram, and hands the
 * handler a copy of exactly the datagram: `DatagramConn.receive()` without a buffer allocates 64 KiB
 * per call, which a publisher's every packet paid in garbage and a player's idle sockets held
 * (four pending receives, 256 KiB, per audio + video player).
 */
import { RtspError } from "./message.ts";
import { bindDatagram, setSocketBuffers, sockaddrIn, type UdpFd } from "../../net/mod.ts";

export interface UdpAddr {
  hostname: string;
  port: number;
  /** The address as a sockaddr_in for synchronous sends (UdpPair.sendNow), made once. */
  sockaddr?: Uint8Array;
}

export type UdpHandler = (data: Uint8Array, from: UdpAddr) => void;

/** The largest UDP payload over IPv4: a pair that takes media in reads RTP into a buffer this size. */
export const MAX_DATAGRAM = 65507;
/**
 * What the other sockets read into: RTCP compounds (sender and receiver reports, SDES, BYE) and a
 * player's NAT-opening packets on its RTP port are far smaller. A longer datagram is cut to this
 * size (the kernel drops the rest), which its parser then refuses.
 */
export const CONTROL_DATAGRAM = 4096;

export class UdpPair {
  readonly rtpPort: number;
  readonly rtcpPort: number;
  /** Whether RTP comes in here (a publisher's or a pull's media), or only a player's NAT packets. */
  readonly mediaIn: boolean;
  #rtp: Deno.DatagramConn;
  #rtcp: Deno.DatagramConn;
  /** Synchronous senders on the sockets' descriptors (a player's pair, where FFI runs). */
  #rtpFd: UdpFd | undefined;
  #rtcpFd: UdpFd | undefined;
  #closed = false;
  #release: () => void;

  constructor(
    rtp: Deno.DatagramConn,
    rtcp: Deno.DatagramConn,
    port: number,
    release: () => void,
    mediaIn = true,
    fds?: { rtp?: UdpFd; rtcp?: UdpFd },
  ) {
    this.mediaIn = mediaIn;
    this.#rtpFd = fds?.rtp;
    this.#rtcpFd = fds?.rtcp;
    this.#rtp = rtp;
    this.#rtcp = rtcp;
    this.rtpPort = port;
    this.rtcpPort = port + 1;
    this.#release = release;
  }

  /** Starts the receive loops; handlers must not throw (they run per datagram). */
  listen(onRtp: UdpHandler, onRtcp: UdpHandler): void {
    this.#loop(this.#rtp, onRtp, this.mediaIn ? MAX_DATAGRAM : CONTROL_DATAGRAM);
    this.#loop(this.#rtcp, onRtcp, CONTROL_DATAGRAM);
  }

  async #loop(conn: Deno.DatagramConn, handler: UdpHandler, size: number): Promise<void> {
    const buf = new Uint8Array(size);
    while (!this.#closed) {
      let data: Uint8Array, addr: Deno.Addr;
      try {
        [data, addr] = await conn.receive(buf);
      } catch {
        return; // closed
      }
      const a = addr as Deno.NetAddr;
      // A copy: handlers may keep the bytes (a depacketizer's fragments), and buf is read into next.
      handler(data.slice(), { hostname: a.hostname, port: a.port });
    }
  }

  /** Whether `sendNow` works on this pair (a player's pair, where FFI runs). */
  get direct(): boolean {
    return this.#rtpFd !== undefined && this.#rtcpFd !== undefined;
  }

  /**
   * Sends one datagram now with one system call, no promise (see `direct`): RTP, or RTCP when
   * `rtcp`. One the kernel refuses (a full send buffer) is dropped as a loss on the way would be.
   */
  sendNow(data: Uint8Array, to: UdpAddr, rtcp: boolean): boolean {
    const fd = rtcp ? this.#rtcpFd : this.#rtpFd;
    if (!fd) return false;
    const sa = to.sockaddr ??= sockaddrIn(to.hostname, to.port);
    return sa !== undefined && fd.sendTo(data, data.byteLength, sa);
  }

  sendRtp(data: Uint8Array, to: UdpAddr): Promise<number> {
    return this.#rtp.send(data, { transport: "udp", hostname: to.hostname, port: to.port });
  }

  sendRtcp(data: Uint8Array, to: UdpAddr): Promise<number> {
    return this.#rtcp.send(data, { transport: "udp", hostname: to.hostname, port: to.port });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#rtp.close();
    } catch { /* already closed */ }
    try {
      this.#rtcp.close();
    } catch { /* already closed */ }
    this.#release();
  }
}

/** Hands out even/odd port pairs from [min, max], skipping ports in use by anyone. */
export class UdpPortPool {
  #min: number;
  #max: number;
  #hostname: string;
  #next: number;
  #used = new Set<number>();
  /** Receive buffer asked for a media-in RTP socket, bytes (0: the system's default). */
  #recvBuffer = 0;
  /** What the kernel gave the last media-in RTP socket sized (SO_RCVBUF as read back), for stats and tests. */
  lastRecvBuffer: number | undefined;

  constructor(range: { min: number; max: number }, hostname: string, recvBuffer = 0) {
    this.#min = this.#next = 0;
    this.#max = 0;
    this.#hostname = hostname;
    this.configure(range, hostname, recvBuffer);
  }

  /** A reload: new pairs come from the new range and address; pairs in use keep theirs. */
  configure(range: { min: number; max: number }, hostname: string, recvBuffer = 0): void {
    this.#recvBuffer = recvBuffer;
    const min = range.min + (range.min % 2);
    if (min === this.#min && range.max === this.#max && hostname === this.#hostname) return;
    this.#min = this.#next = min;
    this.#max = range.max;
    this.#hostname = hostname;
  }

  get inUse(): number {
    return this.#used.size;
  }

  /**
   * Throws when no pair in the range is free. `mediaIn` false: a player's pair, where only RTCP
   * and NAT-opening packets arrive (smaller receive buffers).
   */
  allocate(mediaIn = true): UdpPair {
    const span = Math.floor((this.#max - this.#min + 1) / 2);
    for (let i = 0; i < span; i++) {
      const port = this.#next;
      this.#next = port + 2 > this.#max - 1 ? this.#min : port + 2;
      if (this.#used.has(port)) continue;
      let rtp: Deno.DatagramConn | undefined;
      try {
        // A player's pair sends every packet: synchronously through FFI where it runs. A media-in RTP
        // socket needs its descriptor only to size its receive buffer.
        const sized = mediaIn && this.#recvBuffer > 0;
        const r = bindDatagram(this.#hostname, port, !mediaIn || sized);
        if (sized && r.fd) this.lastRecvBuffer = setSocketBuffers(r.fd, this.#recvBuffer, 0)?.recv;
        rtp = r.conn;
        const c = bindDatagram(this.#hostname, port + 1, !mediaIn);
        this.#used.add(port);
        const fds = mediaIn ? {} : { rtp: r.fd, rtcp: c.fd };
        return new UdpPair(rtp, c.conn, port, () => this.#used.delete(port), mediaIn, fds);
      } catch (err) {
        try {
          rtp?.close();
        } catch { /* ignore */ }
        if (!(err instanceof Deno.errors.AddrInUse)) throw err;
      }
    }
    throw new RtspError(453, `no free RTP/RTCP UDP port pair in ${this.#min}-${this.#max}`);
  }
}
