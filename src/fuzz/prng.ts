/**
 * A small deterministic PRNG (xorshift128 seeded through splitmix32), so a run is reproduced by
 * its seed alone: Math.random cannot be seeded.
 */
export class Prng {
  #s: Uint32Array;

  constructor(seed: number) {
    this.#s = new Uint32Array(4);
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32: spreads a small seed over all 128 bits of state, never all zero.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.#s.every((v) => v === 0)) this.#s[0] = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const s = this.#s;
    let t = s[3];
    const x = s[0];
    s[3] = s[2];
    s[2] = s[1];
    s[1] = x;
    t ^= t << 11;
    t ^= t >>> 8;
    s[0] = (t ^ x ^ (x >>> 19)) >>> 0;
    return s[0];
  }

  /** An integer in 0..n-1 (n ≥ 1). */
  below(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }

  /** True with probability 1/n. */
  oneIn(n: number): boolean {
    return this.below(n) === 0;
  }

  pick<T>(list: readonly T[]): T {
    return list[this.below(list.length)];
  }
}
