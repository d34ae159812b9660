/** The Opus decoder (RFC 6716) behind our own interface: packets → Float32 planar at 48 kHz. */
import { OpusError } from "./errors.ts";
import { type LibOpusDecoder, libOpusDecoder } from "./libopus.ts";

export class OpusDecoder {
  readonly channels: 1 | 2;
  readonly #lib: LibOpusDecoder;
  #closed = false;

  constructor(o: { channels: 1 | 2 }) {
    if (o.channels !== 1 && o.channels !== 2) {
      throw new OpusError(`Opus decoder channel count ${o.channels} is invalid: must be 1 or 2`);
    }
    this.channels = o.channels;
    this.#lib = libOpusDecoder(o.channels);
  }

  /** Decodes one packet into one Float32Array per channel (its duration: 2.5 to 120 ms). */
  decode(packet: Uint8Array): Float32Array[] {
    if (this.#closed) throw new OpusError("Opus decoder is closed: decode after close() is invalid");
    if (packet.length === 0 || packet.length > 1275 * 3) {
      throw new OpusError(`Opus packet of ${packet.length} bytes is invalid: must be 1..3825 bytes`);
    }
    let bytes: Uint8Array;
    try {
      bytes = this.#lib.decode(packet);
    } catch (e) {
      throw new OpusError(
        `Opus packet of ${packet.length} bytes is invalid: libopus says ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    const ch = this.channels;
    const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1); // a fresh copy: aligned
    const n = pcm.length / ch;
    const planes = Array.from({ length: ch }, () => new Float32Array(n));
    for (let c = 0; c < ch; c++) {
      const p = planes[c];
      for (let i = 0; i < n; i++) p[i] = pcm[i * ch + c] / 32768;
    }
    return planes;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lib.drop();
  }
}
