/**
 * SRT payload crypto (draft-sharabayko-srt §6, as libsrt's HaiCrypt does it): the KEK comes from
 * the passphrase with PBKDF2-HMAC-SHA1 over the LAST 8 salt bytes (2048 rounds), stream keys are
 * wrapped with AES key wrap (RFC 3394), payloads use AES-CTR.
 *
 * AES-CTR comes from node:crypto, imported with the first key derivation (every encrypted session derives
 * its KEK before it has a stream key) rather than at start: most servers never encrypt SRT.
 */
type CreateCipheriv = typeof import("node:crypto").createCipheriv;
let createCipheriv: CreateCipheriv | undefined;

/** Loads the payload cipher; deriveKek does it, so a PacketCipher with keys can always apply them. */
export async function loadPacketCipher(): Promise<void> {
  createCipheriv ??= (await import("node:crypto")).createCipheriv;
}

export const PBKDF2_ITERATIONS = 2048;
export const SALT_SIZE = 16;

const KW = "AES-KW";
// WebCrypto can only wrap/unwrap "keys"; HMAC keys accept any raw length (two SEKs are 32..64 bytes).
const RAW_KEY = { name: "HMAC", hash: "SHA-256" } as const;

export async function deriveKek(
  passphrase: string,
  salt: Uint8Array,
  keyLength: number,
): Promise<Uint8Array> {
  await loadPacketCipher();
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-1", salt: salt.slice(salt.length - 8), iterations: PBKDF2_ITERATIONS },
    base,
    keyLength * 8,
  );
  return new Uint8Array(bits);
}

/** RFC 3394 wrap of one or two concatenated stream keys. */
export async function wrapKeys(kek: Uint8Array, keys: Uint8Array): Promise<Uint8Array> {
  const wrapping = await crypto.subtle.importKey("raw", kek.slice(), KW, false, ["wrapKey"]);
  const key = await crypto.subtle.importKey("raw", keys.slice(), RAW_KEY, true, ["sign"]);
  return new Uint8Array(await crypto.subtle.wrapKey("raw", key, wrapping, KW));
}

/** RFC 3394 unwrap; undefined when the integrity check fails (a wrong passphrase). */
export async function unwrapKeys(kek: Uint8Array, wrapped: Uint8Array): Promise<Uint8Array | undefined> {
  const wrapping = await crypto.subtle.importKey("raw", kek.slice(), KW, false, ["unwrapKey"]);
  try {
    const key = await crypto.subtle.unwrapKey("raw", wrapped.slice(), wrapping, KW, RAW_KEY, true, ["sign"]);
    return new Uint8Array(await crypto.subtle.exportKey("raw", key));
  } catch {
    return undefined;
  }
}

export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Key parity as in the KK field: 1 = even, 2 = odd. */
export type Parity = 1 | 2;

/**
 * AES-CTR for data payloads. The counter block is the salt's first 14 bytes XOR the packet
 * sequence number at bytes 10..13, with a 16-bit block counter in bytes 14..15 (hcrypt_SetCtrIV).
 */
export class PacketCipher {
  readonly salt: Uint8Array;
  #keys: (Uint8Array | undefined)[] = [undefined, undefined, undefined];
  #iv = new Uint8Array(16);

  constructor(salt: Uint8Array) {
    this.salt = salt.slice();
  }

  setKey(parity: Parity, key: Uint8Array): void {
    this.#keys[parity] = key.slice();
  }

  hasKey(parity: number): boolean {
    return this.#keys[parity] !== undefined;
  }

  keyLength(parity: Parity): number {
    return this.#keys[parity]?.length ?? 0;
  }

  /** Encrypts or decrypts (the same operation) one payload; undefined when that key is missing. */
  apply(parity: number, seq: number, payload: Uint8Array): Uint8Array | undefined {
    const key = this.#keys[parity];
    if (!key) return undefined;
    const iv = this.#iv;
    iv.set(this.salt.subarray(0, 14));
    iv[14] = 0;
    iv[15] = 0;
    iv[10] ^= seq >>> 24 & 0xff;
    iv[11] ^= seq >>> 16 & 0xff;
    iv[12] ^= seq >>> 8 & 0xff;
    iv[13] ^= seq & 0xff;
    if (!createCipheriv) {
      throw new Error("SRT payload cipher used before any key was derived (loadPacketCipher)");
    }
    const out = createCipheriv(`aes-${key.length * 8}-ctr`, key, iv).update(payload);
    // A plain Uint8Array view: Buffer's slice() shares memory, which downstream code would not expect.
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
}
