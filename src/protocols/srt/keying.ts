/**
 * Per-connection encryption state (draft-sharabayko-srt §6.1.6): one cipher per direction
 * (HSv5 uses the caller's key both ways), even/odd key parity, and key refresh for what we send
 * — a new key for the other parity is announced in a KMREQ some packets before the switch.
 */
import { PacketCipher, type Parity, randomBytes } from "./crypto.ts";
import { openKeyMaterial, sealKeyMaterial, type StreamKeys } from "./key_material.ts";
import { seqDiff } from "./sequence.ts";

export interface KeyingOptions {
  passphrase: string;
  /** The keys agreed in the handshake (from the caller's KMREQ). */
  keys: StreamKeys;
  /** Packets sent per key before switching (libsrt: 2^24). */
  refreshRate?: number;
  /** Packets before the switch when the new key is announced (libsrt: 2^16). */
  preAnnounce?: number;
}

const MAX_KM_RETRIES = 10;

export class Keying {
  readonly rx: PacketCipher;
  readonly tx: PacketCipher;
  #passphrase: string;
  #rxKeys: StreamKeys;
  #txKeys: StreamKeys;
  #parity: Parity;
  #count = 0;
  #refreshRate: number;
  #preAnnounce: number;
  #preparing = false;
  #nextReady = false;
  /**
   * The last packet sent with the key the next refresh will replace. Sent packets keep their
   * ciphertext for retransmission, and the receiver decrypts on arrival with the key it holds for
   * that parity, so the replacement is announced only once the peer has acknowledged all of them.
   */
  #retiringLastSeq: number | undefined;
  #ackedSeq: number | undefined;
  /** The KMREQ announcing our next key, until the peer echoes it. */
  #announce: { bytes: Uint8Array; retries: number; lastUs: number } | undefined;
  readonly stats = { refreshes: 0, kmRequests: 0, kmResponses: 0 };

  constructor(opts: KeyingOptions) {
    this.#passphrase = opts.passphrase;
    this.#rxKeys = opts.keys;
    this.#txKeys = { ...opts.keys };
    this.rx = cipherFor(opts.keys);
    this.tx = cipherFor(opts.keys);
    this.#parity = opts.keys.even ? 1 : 2;
    this.#refreshRate = opts.refreshRate ?? 1 << 24;
    this.#preAnnounce = Math.min(opts.preAnnounce ?? 1 << 16, Math.floor((this.#refreshRate - 1) / 2));
  }

  get keyLength(): number {
    return this.#txKeys.keyLength;
  }

  get txParity(): Parity {
    return this.#parity;
  }

  /** Encrypts one outgoing payload; returns the KK value and the ciphertext. */
  encrypt(seq: number, payload: Uint8Array): { key: Parity; bytes: Uint8Array } {
    const key = this.#parity;
    if (++this.#count >= this.#refreshRate - this.#preAnnounce && !this.#preparing && this.#retired()) {
      this.#prepareNext();
    }
    // Switch once the peer has echoed the new key, or has not answered any of our retries.
    const settled = this.#announce === undefined || this.#announce.retries <= 0;
    if (this.#nextReady && settled && this.#count >= this.#refreshRate) {
      this.#parity = key === 1 ? 2 : 1;
      this.#retiringLastSeq = seq; // this packet still goes out with the old key
      this.#count = 0;
      this.#preparing = this.#nextReady = false;
      this.stats.refreshes++;
    }
    return { key, bytes: this.tx.apply(key, seq, payload)! };
  }

  /** The peer's ACK: every packet before `seq` arrived or was given up. */
  onAck(seq: number): void {
    this.#ackedSeq = seq;
  }

  #retired(): boolean {
    const last = this.#retiringLastSeq;
    if (last === undefined) return true;
    if (this.#ackedSeq === undefined || seqDiff(last, this.#ackedSeq) <= 0) return false;
    this.#retiringLastSeq = undefined;
    return true;
  }

  decrypt(key: number, seq: number, payload: Uint8Array): Uint8Array | undefined {
    return this.rx.apply(key, seq, payload);
  }

  /** A KMREQ we should (re)send now, paced at 1.5 × RTT, at most 10 times. */
  pendingRequest(nowUs: number, rttUs: number): Uint8Array | undefined {
    const a = this.#announce;
    if (!a || a.retries <= 0 || nowUs - a.lastUs < Math.max(20_000, rttUs * 1.5)) return undefined;
    a.retries--;
    a.lastUs = nowUs;
    this.stats.kmRequests++;
    return a.bytes;
  }

  /** The peer's refreshed keys (in-stream KMREQ): install them for receiving; returns the echo. */
  async onKmRequest(bytes: Uint8Array): Promise<Uint8Array> {
    const keys = await openKeyMaterial(bytes, this.#passphrase, this.#rxKeys);
    if (keys.even) this.rx.setKey(1, keys.even);
    if (keys.odd) this.rx.setKey(2, keys.odd);
    this.#rxKeys = keys;
    return bytes;
  }

  /** The peer's answer to our KMREQ: an exact echo means it has the new key. */
  onKmResponse(bytes: Uint8Array): void {
    const a = this.#announce;
    if (!a) return;
    this.stats.kmResponses++;
    if (bytes.length === 4 || equal(bytes, a.bytes)) this.#announce = undefined;
  }

  #prepareNext() {
    this.#preparing = true;
    const next: Parity = this.#parity === 1 ? 2 : 1;
    const key = randomBytes(this.#txKeys.keyLength);
    const keys: StreamKeys = { ...this.#txKeys, [next === 1 ? "even" : "odd"]: key };
    sealKeyMaterial(keys).then((bytes) => {
      this.tx.setKey(next, key);
      this.#txKeys = keys;
      this.#announce = { bytes, retries: MAX_KM_RETRIES, lastUs: -Infinity };
      this.#nextReady = true;
    }, () => {
      this.#preparing = false;
    });
  }
}

function cipherFor(keys: StreamKeys): PacketCipher {
  const c = new PacketCipher(keys.salt);
  if (keys.even) c.setKey(1, keys.even);
  if (keys.odd) c.setKey(2, keys.odd);
  return c;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
