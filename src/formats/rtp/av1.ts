/**
 * AV1 RTP payload format (the AOMedia "RTP Payload Format for AV1", v1.0): a packet is a one-byte
 * aggregation header (Z: the first element continues an OBU, Y: the last one continues in the next
 * packet, W=0: every element has a LEB128 length, N: a new coded video sequence starts) and OBU
 * elements. OBUs go without their size field, temporal delimiters and tile lists are left out, and
 * an OBU larger than the room left is fragmented across packets.
 */
import { ProtocolError } from "../../core/errors.ts";
import { OBU_SEQUENCE_HEADER, OBU_TEMPORAL_DELIMITER, splitObus } from "../../codecs/av1.ts";

const Z = 0x80, Y = 0x40, N = 0x08;
const OBU_TILE_LIST = 8;

function lebSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

function writeLeb(out: Uint8Array, o: number, n: number): number {
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out[o++] = b;
  } while (n > 0);
  return o;
}

/** An OBU as RTP carries it: its header (and extension) with obu_has_size_field cleared, then the payload. */
function rtpObu(bytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const header = bytes[0];
  const hlen = header & 4 ? 2 : 1;
  if (!(header & 2)) return bytes;
  const out = new Uint8Array(hlen + payload.length);
  out[0] = header & ~2;
  if (hlen === 2) out[1] = bytes[1];
  out.set(payload, hlen);
  return out;
}

/** The RTP payloads of one temporal unit (low-overhead OBUs, as AV1 in MP4/FLV carries them). */
export function av1Payloads(tu: Uint8Array, max: number): Uint8Array[] {
  if (max < 8) throw new ProtocolError(`RTP payload size ${max} is invalid for AV1: must be at least 8`);
  const obus = splitObus(tu)
    .filter((o) => o.type !== OBU_TEMPORAL_DELIMITER && o.type !== OBU_TILE_LIST)
    .map((o) => ({ type: o.type, data: rtpObu(o.bytes, o.payload) }));
  const newSequence = obus.some((o) => o.type === OBU_SEQUENCE_HEADER);
  const out: Uint8Array[] = [];
  // The packet being filled: its elements, its size, and whether its first element continues an OBU.
  let elems: Uint8Array[] = [];
  let size = 1;
  let z = false;
  const flush = (y: boolean) => {
    const p = new Uint8Array(size);
    p[0] = (z ? Z : 0) | (y ? Y : 0) | (newSequence && out.length === 0 ? N : 0);
    let o = 1;
    for (const e of elems) {
      o = writeLeb(p, o, e.length);
      p.set(e, o);
      o += e.length;
    }
    out.push(p);
    elems = [];
    size = 1;
    z = false;
  };
  for (const obu of obus) {
    let data = obu.data;
    while (data.length > 0) {
      const room = max - size;
      const need = lebSize(data.length) + data.length;
      if (need <= room) {
        elems.push(data);
        size += need;
        break;
      }
      // Fragment: as much as fits after its length field; a room too small for anything flushes.
      let take = room - lebSize(room);
      if (take <= 0) {
        flush(false);
        continue;
      }
      take = Math.min(take, data.length);
      elems.push(data.subarray(0, take));
      size += lebSize(take) + take;
      data = data.subarray(take);
      flush(true);
      z = true;
    }
  }
  if (elems.length > 0 || out.length === 0) flush(false);
  return out;
}
