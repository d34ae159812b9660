/**
 * A live response body written straight onto the socket: each fan-out chunk is one `conn.write`
 * of the shared bytes, with no stream machinery, no chunk framing and no copy per player. The body
 * is close-delimited (RFC 9112 §6.3 rule 8: the response says `Connection: close` and has no
 * length), which every FLV player reads; the connection ends with the body.
 */
import { writeAll } from "./conn_reader.ts";

export class LiveBody {
  #conn: Deno.Conn;
  /** Writes queue behind the response head (see open). */
  #last: Promise<void>;
  #open!: () => void;
  #ended = false;
  #closed: Promise<string>;
  #resolveClosed!: (reason: string) => void;
  bytes = 0;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#last = new Promise((r) => this.#open = r);
    this.#closed = new Promise((r) => this.#resolveClosed = r);
  }

  /** Resolves with the reason once the body (and the connection) ended. */
  get closed(): Promise<string> {
    return this.#closed;
  }

  /** The head is on the socket: queued writes go out now. */
  open(): void {
    this.#open();
  }

  /** Settles once `bytes` are on the socket (back-pressure); rejects once the body ended. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#ended) return Promise.reject(new Error("response closed"));
    this.bytes += bytes.byteLength;
    const p = this.#last.then(() => {
      if (this.#ended) throw new Error("response closed");
      return writeAll(this.#conn, bytes);
    });
    this.#last = p.catch((err) => this.end(`write failed: ${(err as Error)?.message ?? err}`));
    return p;
  }

  /** Ends the body after the bytes already queued. */
  close(reason: string): void {
    this.#last.finally(() => this.end(reason));
  }

  /** Ends at once (the client left, or a write failed). */
  end(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#open();
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#resolveClosed(reason);
  }
}
