/**
 * A buffered reader over one connection. Only one read is ever in flight: whoever needs bytes next
 * (the request parser, a body stream, the watch for a client leaving during a long response) joins
 * it, so the socket is never read twice at once and nothing read is lost between them.
 */
export class ConnReader {
  #conn: Deno.Conn;
  #buf = new Uint8Array(16 * 1024);
  #start = 0;
  #end = 0;
  #inflight: Promise<boolean> | undefined;
  #eof = false;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** The unread bytes (a view: valid until the next fill or consume). */
  get buffered(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  get eof(): boolean {
    return this.#eof;
  }

  consume(n: number): void {
    this.#start += n;
    // Rewinding to 0 while a read is in flight would lose where that read writes its bytes (it
    // landed at the old end), and stale bytes would be read as new: #read rewinds instead.
    if (this.#start === this.#end && !this.#inflight) this.#start = this.#end = 0;
  }

  /** Takes up to `max` buffered bytes as a copy (body chunks outlive the buffer). */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.#end - this.#start);
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.consume(n);
    return out;
  }

  /** Reads more bytes; false at the end of the stream. Errors (reset, closed by a deadline) throw. */
  fill(): Promise<boolean> {
    if (this.#eof) return Promise.resolve(false);
    return this.#inflight ??= this.#read().finally(() => this.#inflight = undefined);
  }

  async #read(): Promise<boolean> {
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#start > 0 && this.#end === this.#buf.length) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buf.length) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf.subarray(this.#start, this.#end));
      this.#end -= this.#start;
      this.#start = 0;
      this.#buf = bigger;
    }
    const n = await this.#conn.read(this.#buf.subarray(this.#end));
    if (n === null) {
      this.#eof = true;
      return false;
    }
    this.#end += n;
    return true;
  }
}

/** Writes all of `bytes` (conn.write may take only a part). */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(off === 0 ? bytes : bytes.subarray(off));
}
