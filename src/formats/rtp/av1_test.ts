import assert from "node:assert/strict";
import { av1Payloads } from "./av1.ts";

/** An OBU in low-overhead format (with obu_has_size_field) of a type and payload size (< 128). */
function obu(type: number, size: number, fill: number): Uint8Array {
  const o = new Uint8Array(2 + size).fill(fill);
  o[0] = (type << 3) | 2;
  o[1] = size;
  return o;
}

/** A big OBU (2-byte LEB128 size). */
function bigObu(type: number, size: number, fill: number): Uint8Array {
  const o = new Uint8Array(3 + size).fill(fill);
  o[0] = (type << 3) | 2;
  o[1] = 0x80 | (size & 0x7f);
  o[2] = size >> 7;
  return o;
}

function leb(p: Uint8Array, o: number): [number, number] {
  let v = 0;
  for (let i = 0;; i++) {
    const b = p[o++];
    v += (b & 0x7f) * 2 ** (7 * i);
    if (!(b & 0x80)) return [v, o];
  }
}

/** Reassembles the OBUs (without size fields) of a temporal unit's packets, per the AV1 RTP spec. */
function reassemble(ps: Uint8Array[]): { obus: Uint8Array[]; headers: number[] } {
  const obus: Uint8Array[] = [];
  let pending: number[] | undefined;
  for (const p of ps) {
    const z = (p[0] & 0x80) !== 0, y = (p[0] & 0x40) !== 0;
    assert.equal((p[0] >> 4) & 3, 0, "W=0: every element has a length");
    let o = 1;
    const elems: Uint8Array[] = [];
    while (o < p.length) {
      const [len, at] = leb(p, o);
      elems.push(p.subarray(at, at + len));
      o = at + len;
    }
    elems.forEach((e, i) => {
      if (i === 0 && z) pending!.push(...e);
      else {
        if (pending) obus.push(new Uint8Array(pending));
        pending = [...e];
      }
      if (i === elems.length - 1 && !y) {
        obus.push(new Uint8Array(pending!));
        pending = undefined;
      }
    });
  }
  return { obus, headers: ps.map((p) => p[0]) };
}

Deno.test("av1 payloads: temporal delimiter dropped, size fields removed, N on a new sequence, big OBU fragmented", () => {
  const td = obu(2, 0, 0);
  const seq = obu(1, 10, 0x11);
  const frame = bigObu(6, 2500, 0x66);
  const tu = new Uint8Array([...td, ...seq, ...frame]);
  const ps = av1Payloads(tu, 1000);
  for (const p of ps) assert.ok(p.length <= 1000, `packet of ${p.length}`);
  const { obus, headers } = reassemble(ps);
  assert.equal(headers[0] & 0x08, 0x08, "N on the first packet");
  assert.ok(headers.slice(1).every((h) => (h & 0x08) === 0));
  assert.equal(headers[0] & 0x80, 0, "the first packet starts with a whole OBU");
  assert.ok(headers.slice(1).every((h) => (h & 0x80) !== 0), "later packets continue the frame OBU");
  assert.equal(headers.at(-1)! & 0x40, 0, "the last packet ends its OBU");
  assert.equal(obus.length, 2);
  assert.deepEqual(obus[0], new Uint8Array([1 << 3, ...new Uint8Array(10).fill(0x11)]));
  assert.deepEqual(obus[1], new Uint8Array([6 << 3, ...new Uint8Array(2500).fill(0x66)]));
});

Deno.test("av1 payloads: small OBUs share a packet; an inter frame has no N", () => {
  const tu = new Uint8Array([...obu(2, 0, 0), ...obu(3, 20, 3), ...obu(4, 30, 4)]);
  const ps = av1Payloads(tu, 1200);
  assert.equal(ps.length, 1);
  assert.equal(ps[0][0], 0);
  const { obus } = reassemble(ps);
  assert.deepEqual(obus.map((o) => [o[0] >> 3, o.length]), [[3, 21], [4, 31]]);
});
