/**
 * Responses built once and written many times: the status line, the headers (CORS included, as the
 * app's middleware would add them), Content-Length and the body in one buffer, so serving one is a
 * single write of shared bytes. Only the Date field changes; its slot is rewritten in place at most
 * once a second. For the hot routes (HLS/DASH playlists and segments) that every player polls.
 */
import { httpDate, statusLine } from "./front/mod.ts";

const ENC = new TextEncoder();

export class PrebuiltResponse {
  /** Head and body. */
  readonly bytes: Uint8Array;
  /** The body alone (a view of `bytes`). */
  readonly body: Uint8Array;
  /** The header fields besides date and content-length (for a fetch Response of the same answer). */
  readonly fields: readonly (readonly [string, string])[];
  readonly #dateAt: number;
  #date: string;

  constructor(status: number, headers: readonly (readonly [string, string])[], body: Uint8Array) {
    this.fields = headers;
    this.#date = httpDate();
    let head = statusLine(status) + "date: ";
    const dateAt = ENC.encode(head).length;
    head += this.#date + "\r\n";
    for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
    head += `content-length: ${body.byteLength}\r\n\r\n`;
    const h = ENC.encode(head);
    this.bytes = new Uint8Array(h.length + body.byteLength);
    this.bytes.set(h);
    this.bytes.set(body, h.length);
    this.body = this.bytes.subarray(h.length);
    this.#dateAt = dateAt;
  }

  /** The whole response with the current date. */
  now(): Uint8Array {
    const date = httpDate();
    if (date !== this.#date) {
      // Same length every time (IMF-fixdate, RFC 9110 §5.6.7): the head's layout never moves.
      ENC.encodeInto(date, this.bytes.subarray(this.#dateAt, this.#dateAt + date.length));
      this.#date = date;
    }
    return this.bytes;
  }
}

/** Prebuilt answers keyed by the bytes they carry: a segment's response is built on its first request. */
export class PrebuiltCache {
  readonly #map = new WeakMap<Uint8Array, PrebuiltResponse>();

  get(body: Uint8Array, headers: readonly (readonly [string, string])[]): PrebuiltResponse {
    let r = this.#map.get(body);
    if (!r) this.#map.set(body, r = new PrebuiltResponse(200, headers, body));
    return r;
  }
}
