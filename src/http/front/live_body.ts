/**
 * A live response body written straight onto the socket: each fan-out chunk is one `conn.write`
 * of the shared bytes, with no stream machinery, no chunk framing and no copy per player. The body
 * is close-delimited (RFC 9112 §6.3 rule 8: the response says `Connection: close` and has no
 * length), which every FLV player reads; the connection ends with the body.
 */
import { openTcpSend, type TcpSend } from "../../net/mod.ts";
import { writeAll } from "./conn_reader.ts";

export class LiveBody {
  #conn: Deno.Conn;
  /** Resolves once the head is on the socket; undefined after (writes go straight out). */
  #head: Promise<void> | undefined;
  #open!: () => void;
  /** The write in flight (the fan-out keeps at most one per player), for a close after it. */
  #inflight: Promise<void> | undefined;
  #ended = false;
  #closed: Promise<string>;
  #resolveClosed!: (reason: string) => void;
  /** Writes in flight: bytes go straight onto the socket (trySend) only when there are none. */
  #pending = 0;
  #direct: TcpSend | undefined;
  bytes = 0;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#direct = openTcpSend(conn);
    this.#head = new Promise((r) => this.#open = r);
    this.#closed = new Promise((r) => this.#resolveClosed = r);
  }

  /** Resolves with the reason once the body (and the connection) ended. */
  get closed(): Promise<string> {
    return this.#closed;
  }

  /** The head is on the socket: queued writes go out now. */
  open(): void {
    this.#head = undefined;
    this.#open();
  }

  /**
   * Settles once `bytes` are on the socket (back-pressure); rejects once the body ended. The caller
   * waits for one write before the next (as the fan-out does): a write is one `conn.write` and one
   * reaction, with no queue of its own.
   */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#ended) return Promise.reject(new Error("response closed"));
    this.bytes += bytes.byteLength;
    let p: Promise<void>;
    if (this.#head) p = this.#head.then(() => this.#send(bytes));
    else {
      this.#current = bytes;
      p = this.#conn.write(bytes).then(this.#written);
    }
    this.#pending++;
    this.#inflight = p = p.finally(this.#settled);
    return p;
  }

  #settled = () => {
    this.#pending--;
  };

  /**
   * Puts bytes on the socket now when nothing is in flight before them: how many went (the caller
   * `write`s the rest at once), or -1 when it cannot (head not sent, a write in flight, TLS, ended).
   */
  trySend(bytes: Uint8Array): number {
    if (!this.#direct || this.#head || this.#pending > 0 || this.#ended) return -1;
    const n = this.#direct.send(bytes);
    this.bytes += n;
    return n;
  }

  /** The bytes of the write in flight (its reaction is one shared function, not a closure per write). */
  #current: Uint8Array | undefined;
  #written = (n: number): Promise<void> | undefined => {
    const bytes = this.#current!;
    this.#current = undefined;
    return n < bytes.byteLength ? writeAll(this.#conn, bytes.subarray(n)) : undefined;
  };

  #send(bytes: Uint8Array): Promise<void> {
    if (this.#ended) throw new Error("response closed");
    return writeAll(this.#conn, bytes);
  }

  /** Ends the body after the write in flight. */
  close(reason: string): void {
    const p = this.#inflight;
    if (!p) return this.end(reason);
    const end = () => this.end(reason);
    p.then(end, end);
  }

  /** Ends at once (the client left, or a write failed). */
  end(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#inflight = this.#current = undefined;
    this.#direct?.close();
    this.#open();
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#resolveClosed(reason);
  }
}
