/**
 * A UDP socket for SRT: a receive loop that reuses one buffer (handlers must copy what they keep)
 * and a send queue, so datagrams leave in order without awaiting each caller. Never sets the
 * socket's receive buffer size (Deno 2.9 then drops most packets).
 */

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

  constructor(conn: Deno.DatagramConn, onError: (err: unknown) => void = () => {}) {
    this.#conn = conn;
    this.#onError = onError;
  }

  static bind(hostname: string, port: number, onError?: (err: unknown) => void): UdpSocket {
    return new UdpSocket(Deno.listenDatagram({ transport: "udp", hostname, port }), onError);
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
