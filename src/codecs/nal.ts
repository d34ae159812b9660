import { ProtocolError } from "../core/errors.ts";

/** Splits an Annex B byte stream on 00 00 01 / 00 00 00 01 start codes; returns views (no copy). */
export function splitAnnexB(bytes: Uint8Array): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let start = -1;
  let i = 0;
  const n = bytes.length;
  while (i + 2 < n) {
    if (bytes[i + 2] > 1) {
      i += 3;
    } else if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) {
      if (start >= 0) pushTrimmed(nals, bytes, start, i);
      i += 3;
      start = i;
    } else {
      i++;
    }
  }
  if (start >= 0) pushTrimmed(nals, bytes, start, n);
  else if (n > 0) nals.push(bytes); // no start code: treat the whole buffer as one NAL unit
  return nals;
}

// Trailing zeros before a start code belong to the next (4-byte) start code or are trailing_zero_8bits.
function pushTrimmed(out: Uint8Array[], bytes: Uint8Array, start: number, end: number): void {
  while (end > start && bytes[end - 1] === 0) end--;
  if (end > start) out.push(bytes.subarray(start, end));
}

/** Splits 4-byte big-endian length-prefixed NAL units (AVCC/HVCC sample data); returns views. */
export function splitAvcc(bytes: Uint8Array, lengthSize = 4): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (i + lengthSize > bytes.length) {
      throw new ProtocolError(
        `NAL length prefix at offset ${i} is invalid: needs ${lengthSize} bytes, ${bytes.length - i} left`,
      );
    }
    let len = 0;
    for (let k = 0; k < lengthSize; k++) len = len * 256 + bytes[i + k];
    i += lengthSize;
    if (i + len > bytes.length) {
      throw new ProtocolError(
        `NAL length ${len} at offset ${
          i - lengthSize
        } is invalid: runs past the buffer end (${bytes.length})`,
      );
    }
    nals.push(bytes.subarray(i, i + len));
    i += len;
  }
  return nals;
}

/** Joins NAL units with 4-byte big-endian length prefixes. */
export function joinAvcc(nals: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const n of nals) size += 4 + n.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const n of nals) {
    view.setUint32(o, n.length);
    out.set(n, o + 4);
    o += 4 + n.length;
  }
  return out;
}

/** Joins NAL units with 4-byte start codes. */
export function joinAnnexB(nals: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const n of nals) size += 4 + n.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const n of nals) {
    out[o + 3] = 1;
    out.set(n, o + 4);
    o += 4 + n.length;
  }
  return out;
}

export function annexBToAvcc(bytes: Uint8Array): Uint8Array {
  return joinAvcc(splitAnnexB(bytes));
}

export function avccToAnnexB(bytes: Uint8Array): Uint8Array {
  return joinAnnexB(splitAvcc(bytes));
}
