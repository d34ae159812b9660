/**
 * A request body as a ReadableStream pulled straight from the socket: nothing is read before the
 * app asks, and the body limit is checked on every piece, so an oversized upload is refused as
 * soon as it crosses the limit (the caller answers 413 and closes) instead of after buffering it.
 */
import { ChunkedDecoder } from "./chunked.ts";
import type { ConnReader } from "./conn_reader.ts";
import { badRequest, HttpFrontError } from "./errors.ts";
import type { BodyKind } from "./request_parser.ts";

const PIECE = 64 * 1024;

export interface BodyOptions {
  maxBody: number;
  /** Runs once before the first read (to send `100 Continue` when the client expects it). */
  onFirstPull?: () => Promise<void>;
  /** Runs once when the body breaks a rule (too large, bad chunking, client gone). */
  onError: (err: HttpFrontError) => void;
}

/** Reads a body of `kind` from `r`; `finished` tells whether all of it was consumed. */
export class RequestBody {
  readonly stream: ReadableStream<Uint8Array>;
  #r: ConnReader;
  #kind: BodyKind;
  #opts: BodyOptions;
  #received = 0;
  #chunked: ChunkedDecoder | undefined;
  #finished: boolean;
  #failed = false;
  #first = true;

  constructor(r: ConnReader, kind: BodyKind, opts: BodyOptions) {
    this.#r = r;
    this.#kind = kind;
    this.#opts = opts;
    this.#finished = kind.kind === "none";
    if (kind.kind === "chunked") this.#chunked = new ChunkedDecoder(r);
    this.stream = new ReadableStream<Uint8Array>({
      pull: (ctl) => this.#pull(ctl),
    }, { highWaterMark: 0 });
  }

  get finished(): boolean {
    return this.#finished;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** The next piece, null at the end; throws HttpFrontError (and reports it once). */
  async read(): Promise<Uint8Array | null> {
    if (this.#finished) return null;
    try {
      if (this.#first) {
        this.#first = false;
        await this.#opts.onFirstPull?.();
      }
      const piece = await this.#next();
      if (piece === null) {
        this.#finished = true;
        return null;
      }
      this.#received += piece.length;
      if (this.#received > this.#opts.maxBody) {
        throw new HttpFrontError(
          "too_large",
          413,
          `request body over ${this.#opts.maxBody} bytes refused: httpmaxbody is ${this.#opts.maxBody}`,
        );
      }
      if (this.#kind.kind === "length" && this.#received === this.#kind.length) this.#finished = true;
      return piece;
    } catch (err) {
      const e = err instanceof HttpFrontError
        ? err
        : badRequest(`request body read failed: ${(err as Error).message}`);
      if (!this.#failed) {
        this.#failed = true;
        this.#opts.onError(e);
      }
      throw e;
    }
  }

  async #next(): Promise<Uint8Array | null> {
    if (this.#chunked) return await this.#chunked.next(PIECE);
    if (this.#kind.kind !== "length") return null;
    const left = this.#kind.length - this.#received;
    while (this.#r.buffered.length === 0) {
      if (!await this.#r.fill()) {
        throw badRequest(`body ended after ${this.#received} of ${this.#kind.length} bytes`);
      }
    }
    return this.#r.take(Math.min(left, PIECE));
  }

  async #pull(ctl: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      const piece = await this.read();
      if (piece === null) ctl.close();
      else ctl.enqueue(piece);
    } catch (err) {
      ctl.error(err);
    }
  }

  /** Reads and drops up to `max` more bytes; true when the body then ended. */
  async discard(max: number): Promise<boolean> {
    let seen = 0;
    while (!this.#finished && seen <= max) {
      const piece = await this.read();
      if (piece) seen += piece.length;
    }
    return this.#finished;
  }
}
