/**
 * Reassembles PSI sections from the payloads of one PID (pointer_field, sections spanning packets,
 * several sections per packet, 0xFF stuffing).
 */
import { concat } from "../../core/bytes.ts";
import { sectionSize } from "./psi.ts";

export class SectionAssembler {
  #buf: Uint8Array | undefined;
  #cc = -1;

  /** Feeds one packet payload; calls `onSection` for each complete section. */
  push(payload: Uint8Array, pusi: boolean, cc: number, onSection: (section: Uint8Array) => void): void {
    if (this.#cc >= 0 && cc === this.#cc) return; // duplicate packet
    if (this.#cc >= 0 && cc !== ((this.#cc + 1) & 15)) this.#buf = undefined; // lost a piece
    this.#cc = cc;
    let bytes: Uint8Array;
    if (pusi) {
      const pointer = payload[0];
      // Bytes before the pointer target finish the section begun in earlier packets.
      if (this.#buf && pointer > 0) {
        this.#sections(concat([this.#buf, payload.subarray(1, 1 + pointer)]), onSection);
      }
      bytes = payload.subarray(Math.min(payload.length, 1 + pointer));
    } else {
      if (!this.#buf) return;
      bytes = concat([this.#buf, payload]);
    }
    this.#sections(bytes, onSection);
  }

  /** Handles every complete section in `bytes`; keeps an incomplete tail for the next packet. */
  #sections(bytes: Uint8Array, onSection: (section: Uint8Array) => void): void {
    this.#buf = undefined;
    let o = 0;
    while (o < bytes.length && bytes[o] !== 0xff) {
      const size = sectionSize(bytes, o);
      if (size < 0 || o + size > bytes.length) {
        this.#buf = bytes.slice(o);
        return;
      }
      onSection(bytes.subarray(o, o + size));
      o += size;
    }
  }
}
