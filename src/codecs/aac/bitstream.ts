import { AacError } from "./errors.ts";

/**
 * MSB-first reader over one raw_data_block. Reads past the end throw AacError, so a truncated or
 * corrupt access unit can never loop: every syntax loop consumes bits or is bounded by a table.
 */
export class Bitstream {
  readonly #data: Uint8Array;
  readonly #size: number; // in bits
  #pos = 0;

  constructor(data: Uint8Array) {
    this.#data = data;
    this.#size = data.length * 8;
  }

  get position(): number {
    return this.#pos;
  }

  get bitsLeft(): number {
    return this.#size - this.#pos;
  }

  /** Reads n bits (0..25) as an unsigned number. */
  bits(n: number, field: string): number {
    const end = this.#pos + n;
    if (end > this.#size) this.#overrun(n, field);
    const d = this.#data;
    const byte = this.#pos >> 3;
    // Four bytes cover any 25-bit read from any bit offset.
    const word =
      ((d[byte] << 24) | ((d[byte + 1] ?? 0) << 16) | ((d[byte + 2] ?? 0) << 8) | (d[byte + 3] ?? 0)) >>> 0;
    const v = n === 0 ? 0 : ((word << (this.#pos & 7)) >>> 0) >>> (32 - n);
    this.#pos = end;
    return v;
  }

  bit(field: string): number {
    if (this.#pos >= this.#size) this.#overrun(1, field);
    const v = (this.#data[this.#pos >> 3] >> (7 - (this.#pos & 7))) & 1;
    this.#pos++;
    return v;
  }

  skip(n: number, field: string): void {
    if (this.#pos + n > this.#size) this.#overrun(n, field);
    this.#pos += n;
  }

  byteAlign(): void {
    this.#pos = Math.min(this.#size, (this.#pos + 7) & ~7);
  }

  #overrun(n: number, field: string): never {
    throw new AacError(
      `AAC ${field}: reading ${n} bits at bit ${this.#pos} is invalid: the access unit has ${this.#size} bits`,
    );
  }
}
