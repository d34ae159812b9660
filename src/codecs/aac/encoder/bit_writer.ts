/** MSB-first bit writer into a growable buffer (one access unit at a time). */
export class BitWriter {
  #buf = new Uint8Array(2048);
  #pos = 0; // in bits

  get position(): number {
    return this.#pos;
  }

  reset(): void {
    this.#pos = 0;
  }

  /** Writes the low n bits (0..31) of v. */
  bits(v: number, n: number): void {
    if (n === 0) return;
    const end = this.#pos + n;
    if (end > this.#buf.length * 8) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    for (let left = n; left > 0;) {
      const byte = this.#pos >> 3;
      const free = 8 - (this.#pos & 7);
      const take = Math.min(free, left);
      const chunk = (v >>> (left - take)) & ((1 << take) - 1);
      if (free === 8) this.#buf[byte] = 0;
      this.#buf[byte] |= chunk << (free - take);
      this.#pos += take;
      left -= take;
    }
  }

  /** Pads with zero bits to a byte boundary. */
  align(): void {
    const r = this.#pos & 7;
    if (r !== 0) this.bits(0, 8 - r);
  }

  /** A copy of the bytes written (after align()). */
  bytes(): Uint8Array {
    return this.#buf.slice(0, (this.#pos + 7) >> 3);
  }
}
