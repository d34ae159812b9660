/**
 * SRTP for WHEP viewers at a per-packet cost that fan-out can afford (RFC 3711,
 * AES_CM_128_HMAC_SHA1_80). werift creates an AES-CTR cipher and an HMAC object for every packet
 * (node:crypto `createCipheriv` / `createHmac`, each a native resource); here each session keeps one
 * AES-128-ECB cipher and turns counter blocks into keystream with one call per packet, and computes
 * HMAC-SHA1 in JavaScript from the key's precomputed inner and outer states. The bytes are the same
 * as werift's (a unit test compares them, and checks RFC 3711's test vectors).
 *
 * werift is patched from our side only: `installFastSrtp` swaps the encrypting half of a connected
 * DTLS transport's SRTP context, and `preferAesCm` makes the transport offer only that profile (AEAD
 * GCM would need a GHASH of our own; AES_CM_128_HMAC_SHA1_80 is mandatory for every WebRTC client).
 */
import { Buffer } from "node:buffer";
import { type Cipheriv, createCipheriv } from "node:crypto";
import { ProtectionProfileAes128CmHmacSha1_80, type RtpHeader } from "werift";

/** The authentication tag's length (the _80 profile: 80 bits of HMAC-SHA1). */
export const AUTH_TAG_BYTES = 10;

/** HMAC-SHA1 (RFC 2104) with one key: the key's inner and outer pads are hashed once. */
export class HmacSha1 {
  readonly #inner = new Int32Array(5);
  readonly #outer = new Int32Array(5);
  readonly #state = new Int32Array(5);
  readonly #tail = new Uint8Array(128);
  readonly #digest = new Uint8Array(20);

  constructor(key: Uint8Array) {
    if (key.length > 64) throw new RangeError(`HMAC key of ${key.length} bytes: at most 64 are supported`);
    const ipad = new Uint8Array(64).fill(0x36), opad = new Uint8Array(64).fill(0x5c);
    for (let i = 0; i < key.length; i++) {
      ipad[i] ^= key[i];
      opad[i] ^= key[i];
    }
    this.#inner.set(SHA1_INIT);
    sha1Blocks(this.#inner, ipad, 0, 64);
    this.#outer.set(SHA1_INIT);
    sha1Blocks(this.#outer, opad, 0, 64);
  }

  /** The MAC of `msg[at, at + len)` (a view that the next call overwrites). */
  mac(msg: Uint8Array, len: number, at = 0): Uint8Array {
    this.#finish(this.#inner, msg, at, len);
    const d = this.#digest;
    writeState(this.#state, d);
    this.#finish(this.#outer, d, 0, 20);
    writeState(this.#state, d);
    return d;
  }

  /** SHA-1 of (a 64-byte pad already in `from`) + msg[at, at + len), into #state. */
  #finish(from: Int32Array, msg: Uint8Array, at: number, len: number) {
    const s = this.#state;
    s.set(from);
    const full = len & ~63;
    sha1Blocks(s, msg, at, at + full);
    const rem = len - full;
    const tail = this.#tail;
    tail.fill(0);
    for (let i = 0; i < rem; i++) tail[i] = msg[at + full + i];
    tail[rem] = 0x80;
    const end = rem + 9 > 64 ? 128 : 64;
    const bits = (64 + len) * 8;
    tail[end - 5] = Math.floor(bits / 0x100000000);
    tail[end - 4] = bits >>> 24;
    tail[end - 3] = bits >>> 16;
    tail[end - 2] = bits >>> 8;
    tail[end - 1] = bits;
    sha1Blocks(s, tail, 0, end);
  }
}

/** The message schedule's last 16 words (one for every HmacSha1: the calls are synchronous). */
const W = new Int32Array(16);

/**
 * SHA-1's compression of the 64-byte blocks of `b[o, end)` into state `s` (FIPS 180-4 6.1.2), the
 * schedule computed as the rounds go in a ring of 16 words, the state in locals across blocks.
 */
function sha1Blocks(s: Int32Array, b: Uint8Array, o: number, end: number) {
  let h0 = s[0], h1 = s[1], h2 = s[2], h3 = s[3], h4 = s[4];
  const w = W;
  for (; o < end; o += 64) {
    for (let i = 0, p = o; i < 16; i++, p += 4) {
      w[i] = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    }
    let a = h0, b1 = h1, c = h2, d = h3, e = h4, t = 0, x = 0, i = 0;
    for (; i < 16; i++) {
      t = (((a << 5) | (a >>> 27)) + ((b1 & c) | (~b1 & d)) + e + 0x5a827999 + w[i]) | 0;
      e = d, d = c, c = (b1 << 30) | (b1 >>> 2), b1 = a, a = t;
    }
    for (; i < 20; i++) {
      x = w[(i - 3) & 15] ^ w[(i - 8) & 15] ^ w[(i - 14) & 15] ^ w[i & 15];
      x = w[i & 15] = (x << 1) | (x >>> 31);
      t = (((a << 5) | (a >>> 27)) + ((b1 & c) | (~b1 & d)) + e + 0x5a827999 + x) | 0;
      e = d, d = c, c = (b1 << 30) | (b1 >>> 2), b1 = a, a = t;
    }
    for (; i < 40; i++) {
      x = w[(i - 3) & 15] ^ w[(i - 8) & 15] ^ w[(i - 14) & 15] ^ w[i & 15];
      x = w[i & 15] = (x << 1) | (x >>> 31);
      t = (((a << 5) | (a >>> 27)) + (b1 ^ c ^ d) + e + 0x6ed9eba1 + x) | 0;
      e = d, d = c, c = (b1 << 30) | (b1 >>> 2), b1 = a, a = t;
    }
    for (; i < 60; i++) {
      x = w[(i - 3) & 15] ^ w[(i - 8) & 15] ^ w[(i - 14) & 15] ^ w[i & 15];
      x = w[i & 15] = (x << 1) | (x >>> 31);
      t = (((a << 5) | (a >>> 27)) + ((b1 & c) | (b1 & d) | (c & d)) + e - 0x70e44324 + x) | 0;
      e = d, d = c, c = (b1 << 30) | (b1 >>> 2), b1 = a, a = t;
    }
    for (; i < 80; i++) {
      x = w[(i - 3) & 15] ^ w[(i - 8) & 15] ^ w[(i - 14) & 15] ^ w[i & 15];
      x = w[i & 15] = (x << 1) | (x >>> 31);
      t = (((a << 5) | (a >>> 27)) + (b1 ^ c ^ d) + e - 0x359d3e2a + x) | 0;
      e = d, d = c, c = (b1 << 30) | (b1 >>> 2), b1 = a, a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b1) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  s[0] = h0;
  s[1] = h1;
  s[2] = h2;
  s[3] = h3;
  s[4] = h4;
}

const SHA1_INIT = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0]);

function writeState(s: Int32Array, out: Uint8Array) {
  for (let i = 0; i < 5; i++) {
    out[i * 4] = s[i] >>> 24;
    out[i * 4 + 1] = s[i] >>> 16;
    out[i * 4 + 2] = s[i] >>> 8;
    out[i * 4 + 3] = s[i];
  }
}

/** A session's SRTP keys (RFC 3711 4.3: derived from the DTLS master key and salt). */
export interface SrtpSessionKeys {
  /** 16 bytes. */
  key: Uint8Array;
  /** 14 bytes. */
  salt: Uint8Array;
  /** 20 bytes. */
  authKey: Uint8Array;
}

/** Longest payload with a cached counter run; a longer one grows it. */
const INITIAL_BLOCKS = 96;

/** RTP → SRTP with one AES-ECB cipher per session (AES-CM keystream, RFC 3711 4.1.1) and HmacSha1. */
export class SrtpEncryptor {
  readonly #ecb: Cipheriv;
  readonly #salt: Uint8Array;
  readonly #hmac: HmacSha1;
  /** Counter blocks per SSRC: bytes 0-11 per (SSRC, ROC), 12-13 per packet, 14-15 the block number. */
  readonly #runs = new Map<number, { roc: number; blocks: Buffer }>();

  constructor(keys: SrtpSessionKeys) {
    if (keys.key.length !== 16) throw new RangeError(`SRTP key of ${keys.key.length} bytes: must be 16`);
    if (keys.salt.length !== 14) throw new RangeError(`SRTP salt of ${keys.salt.length} bytes: must be 14`);
    this.#ecb = createCipheriv("aes-128-ecb", keys.key, null);
    this.#ecb.setAutoPadding(false);
    this.#salt = keys.salt;
    this.#hmac = new HmacSha1(keys.authKey);
  }

  /** The AES-CM keystream for one packet index, `len` bytes long (RFC 3711 4.1.1). */
  keystream(ssrc: number, roc: number, seq: number, len: number): Buffer {
    const n = (len + 15) >> 4;
    if (n > 0x10000) throw new RangeError(`SRTP payload of ${len} bytes: at most 2^20 bytes per packet`);
    let run = this.#runs.get(ssrc);
    if (!run || run.roc !== roc || n * 16 > run.blocks.length) {
      const blocks = Buffer.alloc(Math.max(INITIAL_BLOCKS, n) * 16);
      const iv = new Uint8Array(16);
      new DataView(iv.buffer).setUint32(4, ssrc);
      new DataView(iv.buffer).setUint32(8, roc);
      for (let i = 0; i < 14; i++) iv[i] ^= this.#salt[i];
      for (let b = 0, o = 0; o < blocks.length; b++, o += 16) {
        blocks.set(iv, o);
        blocks[o + 14] = b >> 8;
        blocks[o + 15] = b & 0xff;
      }
      run = { roc, blocks };
      this.#runs.set(ssrc, run);
    }
    const blocks = run.blocks;
    const s0 = (seq >> 8) ^ this.#salt[12], s1 = (seq & 0xff) ^ this.#salt[13];
    for (let o = 0, end = n * 16; o < end; o += 16) {
      blocks[o + 12] = s0;
      blocks[o + 13] = s1;
    }
    return this.#ecb.update(blocks.subarray(0, n * 16));
  }

  /**
   * The SRTP packet of an RTP header (serialized) and payload: header, encrypted payload, and the
   * 80-bit tag of HMAC-SHA1(header + encrypted payload + ROC).
   */
  encrypt(header: Uint8Array, payload: Uint8Array, ssrc: number, seq: number, roc: number): Buffer {
    const out = Buffer.allocUnsafe(header.length + payload.length + AUTH_TAG_BYTES);
    this.encryptInto(out, 0, header, payload, 0, ssrc, seq, roc);
    return out;
  }

  /**
   * As encrypt, into `out` from offset `at` (a buffer the caller reuses: no allocation for the
   * packet), the payload being `src` from `from` on; returns the SRTP packet's length. `out` needs
   * room for the header, payload, tag and, while the tag is computed, 4 bytes of ROC: header +
   * payload + 10 bytes.
   */
  encryptInto(
    out: Uint8Array,
    at: number,
    header: Uint8Array,
    src: Uint8Array,
    from: number,
    ssrc: number,
    seq: number,
    roc: number,
  ): number {
    const h = header.length, size = src.length - from, len = h + size;
    if (out.length - at < len + AUTH_TAG_BYTES) {
      throw new RangeError(
        `SRTP output of ${out.length - at} bytes: a ${len}-byte packet needs ${len + AUTH_TAG_BYTES}`,
      );
    }
    for (let i = 0; i < h; i++) out[at + i] = header[i];
    const ks = this.keystream(ssrc, roc, seq, size);
    for (let i = 0, o = at + h; i < size; i++) out[o + i] = src[from + i] ^ ks[i];
    const end = at + len;
    out[end] = roc >>> 24;
    out[end + 1] = roc >>> 16;
    out[end + 2] = roc >>> 8;
    out[end + 3] = roc;
    const tag = this.#hmac.mac(out, len + 4, at);
    for (let i = 0; i < AUTH_TAG_BYTES; i++) out[end + i] = tag[i];
    return len + AUTH_TAG_BYTES;
  }
}

/** The parts of werift's SRTP objects this module relies on (pinned by srtp_test.ts). */
interface WeriftCipher {
  encryptRtp(header: RtpHeader, payload: Buffer, rolloverCounter: number): Buffer;
}
interface WeriftSrtpContext {
  profile: number;
  srtpSessionKey: Buffer;
  srtpSessionSalt: Buffer;
  srtpSessionAuthTag: Buffer;
  cipher: WeriftCipher;
}

/**
 * Replaces the RTP-encrypting method of werift's SRTP context (`SrtpContext.cipher.encryptRtp`,
 * called with the header, payload and rollover counter werift tracks) by SrtpEncryptor over the
 * context's own session keys; decryption and SRTCP stay werift's. Returns the encryptor, or
 * undefined (and changes nothing) for another profile.
 */
export function patchSrtpContext(context: unknown): SrtpEncryptor | undefined {
  const ctx = context as WeriftSrtpContext;
  if (ctx?.profile !== ProtectionProfileAes128CmHmacSha1_80 || typeof ctx.cipher?.encryptRtp !== "function") {
    return undefined;
  }
  const enc = new SrtpEncryptor({
    key: ctx.srtpSessionKey,
    salt: ctx.srtpSessionSalt,
    authKey: ctx.srtpSessionAuthTag,
  });
  const fast: WeriftCipher = Object.create(ctx.cipher);
  fast.encryptRtp = (header, payload, roc) =>
    enc.encrypt(header.serialize(header.serializeSize), payload, header.ssrc, header.sequenceNumber, roc);
  ctx.cipher = fast;
  return enc;
}
