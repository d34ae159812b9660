/** A request head usually fits; a read that fills the free space doubles the buffer for the next. */
export const SMALL_BUFFER = 1024;
/** Reads that keep filling the buffer (a request body) grow it up to this. */
const BIG_BUFFER = 64 * 1024;

/**
 * A buffered reader over one connection. Only one read is ever in flight: whoever needs bytes next
 * (the request parser, a body stream, the watch for a client leaving during a long response) joins
 * it, so the socket is never read twice at once and nothing read is lost between them.
 *
 * The buffer starts small and grows only while reads fill it (an upload); `shrink()` gives a grown
 * one back once it is empty, so a long response (a live player) holds 1 KiB, not a body's buffer.
 */
export class ConnReader {
  #conn: Deno.Conn;
  #buf = new Uint8Array(SMALL_BUFFER);
  #start = 0;
  #end = 0;
  #inflight: Promise<boolean> | undefined;
  #eof = false;
  /** The last read filled all the free space: more is probably waiting. */
  #filled = false;

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

  /** The buffer's size (for tests and memory accounting). */
  get capacity(): number {
    return this.#buf.length;
  }

  /** Drops a grown buffer when nothing is buffered or being read (back to SMALL_BUFFER). */
  shrink(): void {
    if (this.#inflight || this.#start !== this.#end || this.#buf.length <= SMALL_BUFFER) return;
    this.#buf = new Uint8Array(SMALL_BUFFER);
    this.#start = this.#end = 0;
    this.#filled = false;
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
    const full = this.#end === this.#buf.length;
    if (full || (this.#filled && this.#buf.length < BIG_BUFFER)) {
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
    this.#filled = n === this.#buf.length - this.#end;
    this.#end += n;
    return true;
  }
}

/** Writes all of `bytes` (conn.write may take only a part). */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(off === 0 ? bytes : bytes.subarray(off));
}
