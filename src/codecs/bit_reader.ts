import { ProtocolError } from "../core/errors.ts";

/** MSB-first bit reader over RBSP bytes (run `unescapeRbsp` first for NAL payloads). */
export class BitReader {
  readonly #data: Uint8Array;
  #pos = 0; // in bits

  constructor(data: Uint8Array) {
    this.#data = data;
  }

  /** Bits consumed so far. */
  get position(): number {
    return this.#pos;
  }

  get bitsLeft(): number {
    return this.#data.length * 8 - this.#pos;
  }

  /** Reads `n` bits (0..32) as an unsigned number. */
  bits(n: number): number {
    if (n > this.bitsLeft) {
      throw new ProtocolError(
        `bitstream read of ${n} bits at bit ${this.#pos} is invalid: only ${this.bitsLeft} bits left`,
      );
    }
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.#data[this.#pos >> 3];
      v = v * 2 + ((byte >> (7 - (this.#pos & 7))) & 1);
      this.#pos++;
    }
    return v;
  }

  bit(): number {
    return this.bits(1);
  }

  flag(): boolean {
    return this.bits(1) === 1;
  }

  skip(n: number): void {
    if (n > this.bitsLeft) {
      throw new ProtocolError(
        `bitstream skip of ${n} bits at bit ${this.#pos} is invalid: only ${this.bitsLeft} bits left`,
      );
    }
    this.#pos += n;
  }

  /** Unsigned exp-Golomb ue(v). */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros > 31) {
        throw new ProtocolError(`exp-Golomb code at bit ${this.#pos} is invalid: more than 31 leading zeros`);
      }
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.bits(zeros);
  }

  /** Signed exp-Golomb se(v). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : k === 0 ? 0 : -(k / 2);
  }

  /** AV1 leb128() */
  leb128(): number {
    let v = 0;
    for (let i = 0; i < 8; i++) {
      const b = this.bits(8);
      v += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return v;
    }
    throw new ProtocolError(`leb128 at bit ${this.#pos} is invalid: longer than 8 bytes`);
  }
}

/** Removes emulation-prevention bytes (00 00 03 → 00 00) from a NAL unit. */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  let zeros = 0;
  let found = -1;
  for (let i = 0; i < nal.length; i++) {
    const b = nal[i];
    if (zeros >= 2 && b === 3) {
      found = i;
      break;
    }
    zeros = b === 0 ? zeros + 1 : 0;
  }
  if (found < 0) return nal;
  const out = new Uint8Array(nal.length);
  out.set(nal.subarray(0, found));
  let n = found;
  zeros = 0;
  for (let i = found + 1; i < nal.length; i++) {
    const b = nal[i];
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, n);
}
