/**
 * H.265 RTP payload format (RFC 7798), without DONL (sprop-max-don-diff = 0): single NAL unit
 * packets, aggregation packets (AP) and fragmentation units (FU).
 */
import { ProtocolError } from "../../core/errors.ts";
import { FragmentAssembler } from "./fragments.ts";

const AP = 48;
const FU = 49;
const PACI = 50;

/** Splits an access unit's NAL units into RTP payloads of at most `max` bytes each. */
export function h265Payloads(nals: readonly Uint8Array[], max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let groupSize = 2; // AP payload header
  const flush = () => {
    if (group.length === 1) out.push(group[0]);
    else if (group.length > 1) out.push(aggregate(group, groupSize));
    group = [];
    groupSize = 2;
  };
  for (const nal of nals) {
    if (nal.length < 2) continue;
    if (nal.length > max) {
      flush();
      fragment(nal, max, out);
      continue;
    }
    if (group.length > 0 && groupSize + 2 + nal.length > max) flush();
    group.push(nal);
    groupSize += 2 + nal.length;
  }
  flush();
  return out;
}

function aggregate(nals: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let f = 0, layer = 63, tid = 7;
  let o = 2;
  for (const n of nals) {
    f |= n[0] & 0x80;
    layer = Math.min(layer, ((n[0] & 1) << 5) | (n[1] >> 3));
    tid = Math.min(tid, n[1] & 7);
    out[o] = n.length >> 8;
    out[o + 1] = n.length & 0xff;
    out.set(n, o + 2);
    o += 2 + n.length;
  }
  out[0] = f | (AP << 1) | (layer >> 5);
  out[1] = ((layer & 0x1f) << 3) | tid;
  return out;
}

function fragment(nal: Uint8Array, max: number, out: Uint8Array[]): void {
  const h0 = (nal[0] & 0x81) | (FU << 1);
  const h1 = nal[1];
  const type = (nal[0] >> 1) & 0x3f;
  const step = max - 3;
  for (let o = 2; o < nal.length; o += step) {
    const end = Math.min(nal.length, o + step);
    const p = new Uint8Array(3 + end - o);
    p[0] = h0;
    p[1] = h1;
    p[2] = (o === 2 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    p.set(nal.subarray(o, end), 3);
    out.push(p);
  }
}

/** Turns RTP payloads back into NAL units; see H264Unpacker for `corrupt`. */
export class H265Unpacker {
  #fu = new FragmentAssembler();

  get corrupt(): boolean {
    return this.#fu.corrupt;
  }
  set corrupt(v: boolean) {
    this.#fu.corrupt = v;
  }

  push(payload: Uint8Array, out: Uint8Array[]): void {
    if (payload.length < 3) {
      throw new ProtocolError(`H.265 RTP payload of ${payload.length} bytes is invalid: must be at least 3`);
    }
    const type = (payload[0] >> 1) & 0x3f;
    if (type < AP) {
      this.#fu.interrupt();
      out.push(payload);
    } else if (type === AP) {
      this.#fu.interrupt();
      let o = 2;
      while (o + 2 <= payload.length) {
        const len = (payload[o] << 8) | payload[o + 1];
        o += 2;
        if (len < 2 || o + len > payload.length) {
          throw new ProtocolError(
            `H.265 AP NAL unit size ${len} at offset ${o - 2} is invalid: must be 2..${payload.length - o}`,
          );
        }
        out.push(payload.subarray(o, o + len));
        o += len;
      }
    } else if (type === FU) {
      const p = payload;
      this.#fu.push(
        (p[2] & 0x80) !== 0,
        (p[2] & 0x40) !== 0,
        () => new Uint8Array([(p[0] & 0x81) | ((p[2] & 0x3f) << 1), p[1]]),
        p.subarray(3),
        out,
      );
    } else if (type === PACI) {
      return; // PACI carries no picture data we need
    } else {
      throw new ProtocolError(`H.265 RTP packet type ${type} is unsupported: must be 0..50`);
    }
  }

  reset(): void {
    this.#fu.reset();
  }
}
