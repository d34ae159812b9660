/**
 * A UDP socket for SRT: a receive loop that reuses one buffer (handlers must copy what they keep)
 * and sends that leave in order without awaiting each caller: one synchronous system call each on
 * the socket's descriptor where FFI runs (net/udp_fd.ts), else an async send queue; a datagram the
 * kernel refuses for room goes to that queue, and what follows it waits there too, so nothing is
 * lost to a burst. Buffer sizes are set on the descriptor (setsockopt through FFI, `setBuffers`), never
 * through node:dgram's setRecvBufferSize, which in Deno 2.9 sizes the buffer it allocates per datagram.
 */
import { bindDatagram, setSocketBuffers, sockaddrIn, type UdpFd } from "../../net/mod.ts";

const EAGAIN = 11, ENOBUFS = 105;

export type DatagramHandler = (data: Uint8Array, from: Deno.NetAddr, nowUs: number) => void;

export interface UdpStats {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  sendErrors: number;
  handlerErrors: number;
}

export class UdpSocket {
  readonly stats: UdpStats = {
    rxPackets: 0,
    rxBytes: 0,
    txPackets: 0,
    txBytes: 0,
    sendErrors: 0,
    handlerErrors: 0,
  };
  #conn: Deno.DatagramConn;
  #queue: [Uint8Array, Deno.NetAddr][] = [];
  #head = 0;
  #sending = false;
  #closed = false;
  #loop: Promise<void> | undefined;
  #handler: DatagramHandler = () => {};
  #onError: (err: unknown) => void;
  #fd: UdpFd | undefined;
  /** Each peer address's sockaddr_in, made once (peers keep their address object). */
  #sockaddrs = new WeakMap<Deno.NetAddr, Uint8Array | null>();

  constructor(conn: Deno.DatagramConn, onError: (err: unknown) => void = () => {}, fd?: UdpFd) {
    this.#conn = conn;
    this.#onError = onError;
    this.#fd = fd;
  }

  static bind(hostname: string, port: number, onError?: (err: unknown) => void): UdpSocket {
    const { conn, fd } = bindDatagram(hostname, port);
    return new UdpSocket(conn, onError, fd);
  }

  /**
   * Asks for socket buffer sizes in bytes (0: leave as is); what the kernel gave, or undefined where
   * the descriptor cannot be had (no FFI: the system's defaults stay).
   */
  setBuffers(recv: number, send: number): { recv: number; send: number } | undefined {
    return this.#fd && setSocketBuffers(this.#fd, recv, send);
  }

  /** Whether sends are synchronous system calls (FFI) rather than the async queue. */
  get direct(): boolean {
    return this.#fd !== undefined;
  }

  get addr(): Deno.NetAddr {
    return this.#conn.addr as Deno.NetAddr;
  }

  /**
   * Starts receiving (or replaces the handler); `handler` runs synchronously per datagram with a
   * view of a shared buffer.
   */
  listen(handler: DatagramHandler): void {
    this.#handler = handler;
    this.#loop ??= this.#receive();
  }

  async #receive() {
    const buf = new Uint8Array(65536);
    while (!this.#closed) {
      let data: Uint8Array, from: Deno.Addr;
      try {
        [data, from] = await this.#conn.receive(buf);
      } catch (err) {
        if (this.#closed) return;
        this.#onError(err);
        await new Promise((r) => setTimeout(r, 1)); // a persistent error must not spin
        continue;
      }
      this.stats.rxPackets++;
      this.stats.rxBytes += data.length;
      try {
        this.#handler(data, from as Deno.NetAddr, Math.round(performance.now() * 1000));
      } catch (err) {
        // Bad input must never take the socket down: the handler decides what it costs.
        this.stats.handlerErrors++;
        this.#onError(err);
      }
    }
  }

  send(bytes: Uint8Array, to: Deno.NetAddr): void {
    if (this.#closed) return;
    if (this.#fd) {
      let sa = this.#sockaddrs.get(to);
      if (sa === undefined) {
        sa = sockaddrIn(to.hostname, to.port) ?? null;
        this.#sockaddrs.set(to, sa);
      }
      // Only while the queue is idle (what went there goes first): datagrams leave in order.
      if (sa && !this.#sending) {
        const errors = this.#fd.errors;
        this.#fd.sendTo(bytes, bytes.byteLength, sa);
        if (this.#fd.errors === errors) {
          this.stats.txPackets++;
          this.stats.txBytes += bytes.length;
          return;
        }
        // A full send buffer (a burst to many players on a real link): this one and those after it
        // wait in the queue for the async send, which waits for room, so nothing is lost to it.
        if (this.#fd.lastErrno !== EAGAIN && this.#fd.lastErrno !== ENOBUFS) {
          this.stats.sendErrors++;
          return;
        }
      }
    }
    this.#queue.push([bytes, to]);
    if (!this.#sending) this.#pump();
  }

  /** Datagrams queued and not yet handed to the kernel. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  async #pump() {
    this.#sending = true;
    while (this.#head < this.#queue.length && !this.#closed) {
      const [bytes, to] = this.#queue[this.#head++];
      if (this.#head > 4096) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      try {
        await this.#conn.send(bytes, to);
        this.stats.txPackets++;
        this.stats.txBytes += bytes.length;
      } catch (err) {
        if (this.#closed) break;
        this.stats.sendErrors++;
        this.#onError(err);
      }
    }
    if (this.#head >= this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    this.#sending = false;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    await this.#loop;
  }
}

export function sameAddr(a: Deno.NetAddr, b: Deno.NetAddr): boolean {
  return a.port === b.port && a.hostname === b.hostname;
}
