/**
 * Reassembles one NAL unit from fragmentation units (H.264 FU-A, RFC 6184 §5.8; H.265 FU,
 * RFC 7798 §4.4.3). A broken run (a middle or end without its start, a start before the previous
 * end, an endless run) sets `corrupt` so the caller drops the access unit instead of emitting it.
 */
import { concat } from "../../core/bytes.ts";

/** The largest NAL unit a fragment run may build (a bound against endless runs). */
export const MAX_NAL_BYTES = 16 * 1024 * 1024;

export class FragmentAssembler {
  #parts: Uint8Array[] = [];
  #size = 0;
  #open = false;
  /** Set when a fragmented NAL unit was lost or truncated; the caller clears it. */
  corrupt = false;

  /**
   * Adds one fragment. `header` is the NAL header rebuilt from the FU indicator/header (used only
   * on the start fragment); `body` is the fragment's payload. The whole NAL goes to `out` on end.
   */
  push(start: boolean, end: boolean, header: () => Uint8Array, body: Uint8Array, out: Uint8Array[]): void {
    if (start) {
      this.interrupt();
      this.#open = true;
      const h = header();
      this.#parts = [h, body];
      this.#size = h.length + body.length;
    } else if (!this.#open) {
      this.corrupt = true; // a middle or end without its start
      return;
    } else {
      this.#parts.push(body);
      this.#size += body.length;
      if (this.#size > MAX_NAL_BYTES) {
        // A fragment run that never ends must not grow without bound.
        this.corrupt = true;
        this.reset();
        return;
      }
    }
    if (end) {
      out.push(concat(this.#parts, this.#size));
      this.reset();
    }
  }

  /** A non-fragment packet arrived: an open fragment run lost its end. */
  interrupt(): void {
    if (this.#open) {
      this.corrupt = true;
      this.reset();
    }
  }

  /** Forgets a partial fragment (after a loss). */
  reset(): void {
    this.#parts = [];
    this.#size = 0;
    this.#open = false;
  }
}
