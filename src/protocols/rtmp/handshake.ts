/**
 * RTMP handshake. The simple form (RTMP 1.0 §5.2) echoes C1; the complex (digest) form, which
 * Flash Player, ffmpeg and librtmp use, hides an HMAC-SHA256 digest of C1 keyed with the Flash
 * Player key at an offset given by either schema, and expects S1/S2 signed with the FMS key.
 * A client whose digest does not validate gets the simple handshake.
 */
import { hmacSha256 } from "../../core/hash.ts";
import { ProtocolError } from "../../core/errors.ts";

export const HANDSHAKE_SIZE = 1536;
export const RTMP_VERSION = 3;
const DIGEST = 32;

const CRUD = [
  0xf0,
  0xee,
  0xc2,
  0x4a,
  0x80,
  0x68,
  0xbe,
  0xe8,
  0x2e,
  0x00,
  0xd0,
  0xd1,
  0x02,
  0x9e,
  0x7e,
  0x57,
  0x6e,
  0xec,
  0x5d,
  0x2d,
  0x29,
  0x80,
  0x6f,
  0xab,
  0x93,
  0xb8,
  0xe6,
  0x36,
  0xcf,
  0xeb,
  0x31,
  0xae,
];
const ascii = (s: string) => Array.from(s, (ch) => ch.charCodeAt(0));
/** "Genuine Adobe Flash Media Server 001" + 32 bytes; the first 36 sign S1. */
const FMS_KEY = Uint8Array.from([...ascii("Genuine Adobe Flash Media Server 001"), ...CRUD]);
/** "Genuine Adobe Flash Player 001" + 32 bytes; the first 30 sign C1. */
const FP_KEY = Uint8Array.from([...ascii("Genuine Adobe Flash Player 001"), ...CRUD]);
const FMS_KEY_SHORT = FMS_KEY.subarray(0, 36);
const FP_KEY_SHORT = FP_KEY.subarray(0, 30);

/** Version fields we announce in S1/C1 (FMS 4.5 and Flash Player 10 style). */
const SERVER_VERSION = 0x04050001;
const CLIENT_VERSION = 0x0a000c02;

export type Schema = 0 | 1;

const hmac = hmacSha256;

function random(n: number): Uint8Array {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return b;
}

/** Where the 32-byte digest sits in a 1536-byte C1/S1 for a schema. */
export function digestOffset(block: Uint8Array, schema: Schema): number {
  // schema 0: time, version, key(764), digest(764); schema 1: time, version, digest(764), key(764)
  const base = schema === 0 ? 772 : 8;
  const sum = block[base] + block[base + 1] + block[base + 2] + block[base + 3];
  return (sum % 728) + base + 4;
}

function digestOf(block: Uint8Array, at: number, key: Uint8Array): Uint8Array {
  return hmac(key, block.subarray(0, at), block.subarray(at + DIGEST));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let d = 0;
  for (let i = 0; i < a.byteLength; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** Finds the schema whose digest validates with `key`; undefined when neither does. */
export function findDigest(
  block: Uint8Array,
  key: Uint8Array,
): { schema: Schema; digest: Uint8Array } | undefined {
  for (const schema of [1, 0] as const) {
    const at = digestOffset(block, schema);
    const digest = block.subarray(at, at + DIGEST);
    if (equal(digest, digestOf(block, at, key))) return { schema, digest: digest.slice() };
  }
  return undefined;
}

/** Writes a digest into `block` (in place) for `schema`, keyed with `key`. */
function sign(block: Uint8Array, schema: Schema, key: Uint8Array): Uint8Array {
  const at = digestOffset(block, schema);
  const digest = digestOf(block, at, key);
  block.set(digest, at);
  return digest;
}

function header(block: Uint8Array, time: number, version: number) {
  const v = new DataView(block.buffer, block.byteOffset, 8);
  v.setUint32(0, time >>> 0);
  v.setUint32(4, version >>> 0);
}

export interface ServerHandshake {
  /** S0 + S1 + S2, to send in one write. */
  reply: Uint8Array;
  /** "complex" when the client's digest validated, else "simple". */
  kind: "simple" | "complex";
  schema?: Schema;
}

/** Answers C0+C1 (1537 bytes). Throws ProtocolError for a version other than 3. */
export function serverHandshake(c0c1: Uint8Array, now = 0): ServerHandshake {
  if (c0c1.byteLength !== 1 + HANDSHAKE_SIZE) {
    throw new ProtocolError(
      `RTMP C0+C1 of ${c0c1.byteLength} bytes is invalid: must be ${1 + HANDSHAKE_SIZE}`,
    );
  }
  if (c0c1[0] !== RTMP_VERSION) {
    throw new ProtocolError(`RTMP version ${c0c1[0]} in C0 is not supported: must be 3 (RTMPE is not)`);
  }
  const c1 = c0c1.subarray(1);
  const reply = new Uint8Array(1 + 2 * HANDSHAKE_SIZE);
  reply[0] = RTMP_VERSION;
  const s1 = reply.subarray(1, 1 + HANDSHAKE_SIZE);
  const s2 = reply.subarray(1 + HANDSHAKE_SIZE);
  s1.set(random(HANDSHAKE_SIZE));
  const versioned = c1[4] | c1[5] | c1[6] | c1[7];
  const found = versioned ? findDigest(c1, FP_KEY_SHORT) : undefined;
  if (!found) {
    header(s1, now, 0);
    s2.set(c1); // simple: S2 echoes C1
    return { reply, kind: "simple" };
  }
  header(s1, now, SERVER_VERSION);
  sign(s1, found.schema, FMS_KEY_SHORT);
  s2.set(random(HANDSHAKE_SIZE - DIGEST));
  const key = hmac(FMS_KEY, found.digest);
  s2.set(hmac(key, s2.subarray(0, HANDSHAKE_SIZE - DIGEST)), HANDSHAKE_SIZE - DIGEST);
  return { reply, kind: "complex", schema: found.schema };
}

export interface ClientHello {
  /** C0 + C1. */
  bytes: Uint8Array;
  c1: Uint8Array;
}

/** C0+C1 for our client: a complex handshake (schema 1, like Flash Player). */
export function clientHello(complex = true): ClientHello {
  const bytes = new Uint8Array(1 + HANDSHAKE_SIZE);
  bytes[0] = RTMP_VERSION;
  const c1 = bytes.subarray(1);
  c1.set(random(HANDSHAKE_SIZE));
  header(c1, 0, complex ? CLIENT_VERSION : 0);
  if (complex) sign(c1, 1, FP_KEY_SHORT);
  return { bytes, c1 };
}

/**
 * C2 from the server's S1: signed when S1 carries a valid FMS digest (what FMS checks),
 * otherwise S1 echoed (the simple handshake). Also reports whether S2 proved the server knows
 * our C1 digest; servers that answer simply just echo C1.
 */
export function clientResponse(hello: ClientHello, s1: Uint8Array, s2: Uint8Array): {
  c2: Uint8Array;
  kind: "simple" | "complex";
  verified: boolean;
} {
  const server = findDigest(s1, FMS_KEY_SHORT);
  const ours = findDigest(hello.c1, FP_KEY_SHORT);
  if (!server || !ours) {
    return { c2: s1.slice(), kind: "simple", verified: equal(s2.subarray(8), hello.c1.subarray(8)) };
  }
  const expect = hmac(hmac(FMS_KEY, ours.digest), s2.subarray(0, HANDSHAKE_SIZE - DIGEST));
  const c2 = random(HANDSHAKE_SIZE);
  const key = hmac(FP_KEY, server.digest);
  c2.set(hmac(key, c2.subarray(0, HANDSHAKE_SIZE - DIGEST)), HANDSHAKE_SIZE - DIGEST);
  return { c2, kind: "complex", verified: equal(expect, s2.subarray(HANDSHAKE_SIZE - DIGEST)) };
}

/** Writes every byte: a handshake reply (S0+S1+S2) can be larger than one write takes. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let o = 0;
  while (o < bytes.byteLength) o += await conn.write(bytes.subarray(o));
}

const started = Date.now();
/** The time field of S1: milliseconds since this process started, wrapped to 32 bits. */
export function handshakeTime(): number {
  return (Date.now() - started) >>> 0;
}

/**
 * The server's handshake on a socket: reads C0+C1, answers S0+S1+S2, reads C2; returns what the client
 * sent after C2 (its first chunks). `counted` follows the bytes as they pass, a failed handshake's too.
 * Garbage fails at its first byte, not after 1537 bytes that may never come; a peer that closes early
 * is a ProtocolError naming how far it got.
 */
export async function acceptHandshake(
  conn: Deno.Conn,
  counted: { bytesIn: number; bytesOut: number },
): Promise<{ rest: Uint8Array; kind: ServerHandshake["kind"]; schema: Schema | undefined }> {
  const buf = new Uint8Array(16 * 1024);
  let have = 0;
  const fill = async (n: number) => {
    while (have < n) {
      const r = await conn.read(buf.subarray(have));
      if (r === null) {
        throw new ProtocolError(`RTMP handshake truncated: peer closed after ${have} of ${n} bytes`);
      }
      have += r;
      counted.bytesIn += r;
      if (buf[0] !== RTMP_VERSION) serverHandshake(buf.subarray(0, 1 + HANDSHAKE_SIZE));
    }
  };
  await fill(1 + HANDSHAKE_SIZE);
  const hs = serverHandshake(buf.subarray(0, 1 + HANDSHAKE_SIZE), handshakeTime());
  await writeAll(conn, hs.reply);
  counted.bytesOut += hs.reply.byteLength;
  await fill(1 + 2 * HANDSHAKE_SIZE);
  return { rest: buf.slice(1 + 2 * HANDSHAKE_SIZE, have), kind: hs.kind, schema: hs.schema };
}
