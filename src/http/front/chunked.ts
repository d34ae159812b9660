/**
 * The chunked transfer coding (RFC 9112 §7.1), decoded incrementally from a ConnReader: chunk
 * extensions are skipped, trailer fields are read and dropped, and every line is bounded, so a
 * hostile client cannot make us buffer more than a line limit beyond the body limit.
 */
import { ConnReader } from "./conn_reader.ts";
import { badRequest } from "./errors.ts";

/** Longest chunk-size line (with extensions) and longest trailer section we accept. */
export const MAX_CHUNK_LINE = 4096;
export const MAX_TRAILERS = 8192;

export class ChunkedDecoder {
  #r: ConnReader;
  /** Bytes left in the current chunk; -1 before the first size line. */
  #left = -1;
  #done = false;

  constructor(r: ConnReader) {
    this.#r = r;
  }

  get done(): boolean {
    return this.#done;
  }

  /** The next piece of body (at most `max` bytes), or null after the last chunk and trailers. */
  async next(max: number): Promise<Uint8Array | null> {
    if (this.#done) return null;
    if (this.#left <= 0) {
      if (this.#left === 0) await this.#crlf();
      this.#left = await this.#sizeLine();
      if (this.#left === 0) {
        await this.#trailers();
        this.#done = true;
        return null;
      }
    }
    while (this.#r.buffered.length === 0) await this.#more();
    const piece = this.#r.take(Math.min(max, this.#left));
    this.#left -= piece.length;
    return piece;
  }

  async #more(): Promise<void> {
    if (!await this.#r.fill()) throw badRequest("chunked body ended before its last chunk");
  }

  /** One CRLF-terminated line, at most `limit` bytes, as latin1 text. */
  async #line(limit: number, what: string): Promise<string> {
    for (;;) {
      const b = this.#r.buffered;
      const lf = b.indexOf(0x0a);
      if (lf >= 0) {
        if (lf === 0 || b[lf - 1] !== 0x0d) {
          throw badRequest(`bare LF in a ${what}: lines must end with CRLF`);
        }
        if (lf - 1 > limit) throw badRequest(`${what} of ${lf - 1} bytes refused: at most ${limit}`);
        const line = String.fromCharCode(...b.subarray(0, lf - 1));
        this.#r.consume(lf + 1);
        return line;
      }
      if (b.length > limit) throw badRequest(`${what} over ${limit} bytes refused`);
      await this.#more();
    }
  }

  async #crlf(): Promise<void> {
    const line = await this.#line(0, "chunk end");
    if (line !== "") throw badRequest("chunk data is longer than its size: must be followed by CRLF");
  }

  async #sizeLine(): Promise<number> {
    const line = await this.#line(MAX_CHUNK_LINE, "chunk size line");
    const hex = line.split(";", 1)[0].replace(/[ \t]+$/, "");
    if (!/^[0-9A-Fa-f]{1,12}$/.test(hex)) {
      throw badRequest(`chunk size ${JSON.stringify(hex.slice(0, 20))} is invalid: must be 1-12 hex digits`);
    }
    return parseInt(hex, 16);
  }

  async #trailers(): Promise<void> {
    let total = 0;
    for (;;) {
      const line = await this.#line(MAX_TRAILERS, "trailer line");
      if (line === "") return;
      total += line.length + 2;
      if (total > MAX_TRAILERS) throw badRequest(`trailers over ${MAX_TRAILERS} bytes refused`);
    }
  }
}
