/**
 * UDP port pairs for RTP (even port) and RTCP (port + 1), taken from the configured range.
 * Receive buffers are left at the OS default on purpose: in Deno 2.9 setting one makes
 * listenDatagram drop most packets.
 */
import { RtspError } from "./message.ts";

export interface UdpAddr {
  hostname: string;
  port: number;
}

export type UdpHandler = (data: Uint8Array, from: UdpAddr) => void;

export class UdpPair {
  readonly rtpPort: number;
  readonly rtcpPort: number;
  #rtp: Deno.DatagramConn;
  #rtcp: Deno.DatagramConn;
  #closed = false;
  #release: () => void;

  constructor(rtp: Deno.DatagramConn, rtcp: Deno.DatagramConn, port: number, release: () => void) {
    this.#rtp = rtp;
    this.#rtcp = rtcp;
    this.rtpPort = port;
    this.rtcpPort = port + 1;
    this.#release = release;
  }

  /** Starts the receive loops; handlers must not throw (they run per datagram). */
  listen(onRtp: UdpHandler, onRtcp: UdpHandler): void {
    this.#loop(this.#rtp, onRtp);
    this.#loop(this.#rtcp, onRtcp);
  }

  async #loop(conn: Deno.DatagramConn, handler: UdpHandler): Promise<void> {
    while (!this.#closed) {
      let data: Uint8Array, addr: Deno.Addr;
      try {
        [data, addr] = await conn.receive();
      } catch {
        return; // closed
      }
      const a = addr as Deno.NetAddr;
      handler(data, { hostname: a.hostname, port: a.port });
    }
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

  constructor(range: { min: number; max: number }, hostname: string) {
    this.#min = this.#next = 0;
    this.#max = 0;
    this.#hostname = hostname;
    this.configure(range, hostname);
  }

  /** A reload: new pairs come from the new range and address; pairs in use keep theirs. */
  configure(range: { min: number; max: number }, hostname: string): void {
    const min = range.min + (range.min % 2);
    if (min === this.#min && range.max === this.#max && hostname === this.#hostname) return;
    this.#min = this.#next = min;
    this.#max = range.max;
    this.#hostname = hostname;
  }

  get inUse(): number {
    return this.#used.size;
  }

  /** Throws when no pair in the range is free. */
  allocate(): UdpPair {
    const span = Math.floor((this.#max - this.#min + 1) / 2);
    for (let i = 0; i < span; i++) {
      const port = this.#next;
      this.#next = port + 2 > this.#max - 1 ? this.#min : port + 2;
      if (this.#used.has(port)) continue;
      let rtp: Deno.DatagramConn | undefined;
      try {
        rtp = Deno.listenDatagram({ transport: "udp", hostname: this.#hostname, port });
        const rtcp = Deno.listenDatagram({ transport: "udp", hostname: this.#hostname, port: port + 1 });
        this.#used.add(port);
        return new UdpPair(rtp, rtcp, port, () => this.#used.delete(port));
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
