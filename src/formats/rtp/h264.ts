/**
 * H.264 RTP payload format (RFC 6184), non-interleaved mode: single NAL unit packets, STAP-A
 * aggregation of small NAL units and FU-A fragmentation of large ones.
 */
import { FragmentAssembler } from "./fragments.ts";
import { ProtocolError } from "../../core/errors.ts";

const STAP_A = 24;
const FU_A = 28;
/** Largest NAL unit we reassemble (far above any real picture). */
export { MAX_NAL_BYTES } from "./fragments.ts";

/** Splits an access unit's NAL units into RTP payloads of at most `max` bytes each. */
export function h264Payloads(nals: readonly Uint8Array[], max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let groupSize = 1; // STAP-A header byte
  const flush = () => {
    if (group.length === 1) out.push(group[0]);
    else if (group.length > 1) out.push(stapA(group, groupSize));
    group = [];
    groupSize = 1;
  };
  for (const nal of nals) {
    if (nal.length === 0) continue;
    if (nal.length > max) {
      flush();
      fuA(nal, max, out);
      continue;
    }
    if (group.length > 0 && groupSize + 2 + nal.length > max) flush();
    group.push(nal);
    groupSize += 2 + nal.length;
  }
  flush();
  return out;
}

function stapA(nals: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let f = 0, nri = 0;
  let o = 1;
  for (const n of nals) {
    f |= n[0] & 0x80;
    nri = Math.max(nri, n[0] & 0x60);
    out[o] = n.length >> 8;
    out[o + 1] = n.length & 0xff;
    out.set(n, o + 2);
    o += 2 + n.length;
  }
  out[0] = f | nri | STAP_A;
  return out;
}

function fuA(nal: Uint8Array, max: number, out: Uint8Array[]): void {
  const indicator = (nal[0] & 0xe0) | FU_A;
  const type = nal[0] & 0x1f;
  const step = max - 2;
  for (let o = 1; o < nal.length; o += step) {
    const end = Math.min(nal.length, o + step);
    const p = new Uint8Array(2 + end - o);
    p[0] = indicator;
    p[1] = (o === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    p.set(nal.subarray(o, end), 2);
    out.push(p);
  }
}

/**
 * Turns RTP payloads back into NAL units. A fragment sequence that breaks (a lost start, middle
 * or end) sets `corrupt` so the caller can drop the access unit rather than emit a broken one.
 */
export class H264Unpacker {
  #fu = new FragmentAssembler();

  /** Set when a fragmented NAL unit was lost or truncated; the caller clears it. */
  get corrupt(): boolean {
    return this.#fu.corrupt;
  }
  set corrupt(v: boolean) {
    this.#fu.corrupt = v;
  }

  /** Appends the complete NAL units carried by `payload` to `out`. */
  push(payload: Uint8Array, out: Uint8Array[]): void {
    if (payload.length === 0) return;
    const type = payload[0] & 0x1f;
    if (type >= 1 && type <= 23) {
      this.#fu.interrupt();
      out.push(payload);
    } else if (type === STAP_A) {
      this.#fu.interrupt();
      let o = 1;
      while (o + 2 <= payload.length) {
        const len = (payload[o] << 8) | payload[o + 1];
        o += 2;
        if (len === 0 || o + len > payload.length) {
          throw new ProtocolError(
            `H.264 STAP-A NAL unit size ${len} at offset ${o - 2} is invalid: must be 1..${
              payload.length - o
            }`,
          );
        }
        out.push(payload.subarray(o, o + len));
        o += len;
      }
    } else if (type === FU_A) {
      if (payload.length < 3) {
        throw new ProtocolError(`H.264 FU-A of ${payload.length} bytes is invalid: must be at least 3`);
      }
      const p = payload;
      this.#fu.push(
        (p[1] & 0x80) !== 0,
        (p[1] & 0x40) !== 0,
        () => new Uint8Array([(p[0] & 0xe0) | (p[1] & 0x1f)]),
        p.subarray(2),
        out,
      );
    } else {
      throw new ProtocolError(
        `H.264 RTP packet type ${type} is unsupported: only single NAL (1-23), STAP-A (24) and FU-A (28)`,
      );
    }
  }

  /** Forgets a partial fragment (after a loss). */
  reset(): void {
    this.#fu.reset();
  }
}
