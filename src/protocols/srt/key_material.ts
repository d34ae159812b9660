/**
 * Key Material message (draft-sharabayko-srt §3.2.2): the salt and the wrapped stream key(s). It
 * rides in the KMREQ/KMRSP handshake extensions and in user-defined control packets for key
 * refresh, as raw bytes (never word-swapped).
 */
import { EstuaryError, ProtocolError } from "../../core/errors.ts";
import { deriveKek, randomBytes, SALT_SIZE, unwrapKeys, wrapKeys } from "./crypto.ts";

const HEADER = 16;
const SIGN = 0x2029; // "HAI" as a PnP vendor id
const CIPHER_AES_CTR = 2;
const SE_SRT = 2;

/** KK flags of a KM message: which keys it carries. */
export const KmKeys = { Even: 1, Odd: 2, Both: 3 } as const;

export interface KeyMaterial {
  keys: number;
  cipher: number;
  auth: number;
  se: number;
  salt: Uint8Array;
  keyLength: number;
  /** RFC 3394 output: 8-byte integrity block + one or two keys (even first). */
  wrapped: Uint8Array;
}

/** The passphrase does not unwrap the stream key (RFC 3394 integrity check failed). */
export class BadSecretError extends EstuaryError {
  constructor() {
    super("srt_bad_secret", "SRT key material does not unwrap with our passphrase: wrong passphrase");
  }
}

export function decodeKeyMaterial(b: Uint8Array): KeyMaterial {
  const bad = (rule: string) => new ProtocolError(`SRT key material is invalid: ${rule}`);
  if (b.length < HEADER) throw bad(`${b.length} bytes, must be more than ${HEADER}`);
  if (b[0] !== 0x12) throw bad(`first byte 0x${b[0].toString(16)} must be 0x12 (version 1, type KM)`);
  if ((b[1] << 8 | b[2]) !== SIGN) throw bad("signature must be 0x2029");
  const keys = b[3] & 3;
  if (keys === 0) throw bad("it carries no key (KK = 0)");
  const saltLen = b[14] * 4, keyLength = b[15] * 4;
  if (![16, 24, 32].includes(keyLength)) throw bad(`key length ${keyLength} must be 16, 24 or 32`);
  if (saltLen === 0 || saltLen > 16) throw bad(`salt length ${saltLen} must be 4..16`);
  const n = keys === KmKeys.Both ? 2 : 1;
  const want = HEADER + saltLen + 8 + n * keyLength;
  if (b.length !== want) throw bad(`${b.length} bytes, must be ${want} for ${n} key(s) of ${keyLength}`);
  if (b[8] !== CIPHER_AES_CTR) throw bad(`cipher ${b[8]} is not supported: must be 2 (AES-CTR)`);
  return {
    keys,
    cipher: b[8],
    auth: b[9],
    se: b[10],
    salt: b.slice(HEADER, HEADER + saltLen),
    keyLength,
    wrapped: b.slice(HEADER + saltLen),
  };
}

export function encodeKeyMaterial(km: KeyMaterial): Uint8Array {
  const out = new Uint8Array(HEADER + km.salt.length + km.wrapped.length);
  out[0] = 0x12;
  out[1] = SIGN >> 8;
  out[2] = SIGN & 0xff;
  out[3] = km.keys & 3;
  out[8] = km.cipher;
  out[9] = km.auth;
  out[10] = km.se;
  out[14] = km.salt.length / 4;
  out[15] = km.keyLength / 4;
  out.set(km.salt, HEADER);
  out.set(km.wrapped, HEADER + km.salt.length);
  return out;
}

/** Everything needed to encrypt and decrypt: the salt, the KEK and the stream keys present. */
export interface StreamKeys {
  salt: Uint8Array;
  kek: Uint8Array;
  keyLength: number;
  even?: Uint8Array;
  odd?: Uint8Array;
}

/** A fresh salt and even key (what a caller sends in its first KMREQ). */
export async function newStreamKeys(passphrase: string, keyLength: number): Promise<StreamKeys> {
  const salt = randomBytes(SALT_SIZE);
  return { salt, kek: await deriveKek(passphrase, salt, keyLength), keyLength, even: randomBytes(keyLength) };
}

/** Builds the KM message for the keys present (both: even first, as libsrt does). */
export async function sealKeyMaterial(k: StreamKeys): Promise<Uint8Array> {
  const keys = (k.even ? KmKeys.Even : 0) | (k.odd ? KmKeys.Odd : 0);
  if (!keys) throw new RangeError("no stream key to seal");
  const plain = new Uint8Array((keys === KmKeys.Both ? 2 : 1) * k.keyLength);
  let o = 0;
  for (const key of [k.even, k.odd]) {
    if (!key) continue;
    plain.set(key, o);
    o += key.length;
  }
  const wrapped = await wrapKeys(k.kek, plain);
  return encodeKeyMaterial({
    keys,
    cipher: CIPHER_AES_CTR,
    auth: 0,
    se: SE_SRT,
    salt: k.salt,
    keyLength: k.keyLength,
    wrapped,
  });
}

/**
 * Unwraps a KM message with our passphrase. Throws ProtocolError when malformed and
 * BadSecretError when the passphrase is wrong. `kek` skips PBKDF2 when the salt is unchanged.
 */
export async function openKeyMaterial(
  bytes: Uint8Array,
  passphrase: string,
  known?: StreamKeys,
): Promise<StreamKeys> {
  const km = decodeKeyMaterial(bytes);
  const sameSalt = known && known.keyLength === km.keyLength && equal(known.salt, km.salt);
  const kek = sameSalt ? known.kek : await deriveKek(passphrase, km.salt, km.keyLength);
  const plain = await unwrapKeys(kek, km.wrapped);
  if (!plain) throw new BadSecretError();
  const out: StreamKeys = { salt: km.salt, kek, keyLength: km.keyLength };
  if (km.keys === KmKeys.Both) {
    out.even = plain.slice(0, km.keyLength);
    out.odd = plain.slice(km.keyLength);
  } else if (km.keys === KmKeys.Even) out.even = plain;
  else out.odd = plain;
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
