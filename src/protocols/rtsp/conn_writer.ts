/**
 * What leaves one RTSP connection: replies and interleaved data written in order (each write after
 * the one before), and a player's fan-out chunks straight onto the socket by one system call while
 * nothing is queued before them (net/tcp_send.ts; never for TLS).
 */
import { openTcpSend, type TcpSend } from "../../net/mod.ts";

export class RtspWriter {
  readonly #conn: Deno.Conn;
  readonly #totals: { bytesOut: number };
  readonly #closed: () => boolean;
  #tail: Promise<unknown> = Promise.resolve();
  /** Writes queued or in flight: direct sends go only when there are none. */
  #pending = 0;
  /** A player's synchronous sends on the socket; none for TLS or publishers. */
  #direct: TcpSend | undefined;
  /** Bytes written on this connection. */
  bytesOut = 0;

  constructor(conn: Deno.Conn, totals: { bytesOut: number }, closed: () => boolean) {
    this.#conn = conn;
    this.#totals = totals;
    this.#closed = closed;
  }

  /** A player plays on this connection: its chunks may go by direct sends from now on. */
  startDirect(): void {
    this.#direct ??= openTcpSend(this.#conn);
  }

  /** Writes `bytes` after everything written before; rejects once the connection is closed. */
  write(bytes: Uint8Array): Promise<unknown> {
    this.#pending++;
    const p = this.#tail.then(() => this.#writeAll(bytes));
    this.#tail = p.then(this.#settled, this.#settled);
    return p;
  }

  #settled = () => {
    this.#pending--;
  };

  /**
   * Puts a player's chunk on the socket now when no write is queued before it: how many bytes went
   * (the fan-out writes the rest), or -1 when it cannot (a reply or a write in flight, TLS).
   */
  trySend(bytes: Uint8Array): number {
    if (this.#pending > 0 || !this.#direct || this.#closed()) return -1;
    const n = this.#direct.send(bytes);
    this.#count(n);
    return n;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    if (this.#closed()) throw new Error("connection closed");
    let o = 0;
    while (o < bytes.length) o += await this.#conn.write(bytes.subarray(o));
    this.#count(bytes.length);
  }

  #count(n: number): void {
    this.bytesOut += n;
    this.#totals.bytesOut += n;
  }
}
