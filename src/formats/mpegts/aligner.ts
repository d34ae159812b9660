/**
 * Groups a stream of whole TS packets into fixed-size datagram payloads (7 × 188 = 1316 bytes for
 * SRT), so that every datagram but the flushed last one is full.
 */
import { SRT_PAYLOAD_SIZE, TS_PACKET_SIZE } from "./packet.ts";

export class TsAligner {
  readonly #size: number;
  #buf: Uint8Array;
  #len = 0;

  constructor(size = SRT_PAYLOAD_SIZE) {
    if (size < TS_PACKET_SIZE || size % TS_PACKET_SIZE !== 0) {
      throw new RangeError(
        `payload size ${size} is invalid: must be a positive multiple of ${TS_PACKET_SIZE}`,
      );
    }
    this.#size = size;
    this.#buf = new Uint8Array(size);
  }

  /** Bytes waiting for a full payload. */
  get pending(): number {
    return this.#len;
  }

  /** Adds packets; returns the payloads completed by them (views into `bytes` when possible). */
  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const size = this.#size;
    let i = 0;
    if (this.#len > 0) {
      const take = Math.min(size - this.#len, bytes.length);
      this.#buf.set(bytes.subarray(0, take), this.#len);
      this.#len += take;
      i = take;
      if (this.#len < size) return out;
      out.push(this.#buf);
      this.#buf = new Uint8Array(size); // the emitted buffer now belongs to the caller
      this.#len = 0;
    }
    for (; i + size <= bytes.length; i += size) out.push(bytes.subarray(i, i + size));
    if (i < bytes.length) {
      this.#buf.set(bytes.subarray(i), 0);
      this.#len = bytes.length - i;
    }
    return out;
  }

  /** Returns the partial payload, if any (for a pause in the stream or the end). */
  flush(): Uint8Array | null {
    if (this.#len === 0) return null;
    const out = this.#buf.slice(0, this.#len);
    this.#len = 0;
    return out;
  }
}
