import assert from "node:assert/strict";
import {
  type AckInfo,
  decodeAck,
  decodeDropRequest,
  decodeLossList,
  encodeAck,
  encodeDropRequest,
  encodeLossList,
  type SeqRange,
  toRanges,
} from "./control.ts";
import { ProtocolError } from "../../core/errors.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, "").match(/../g)!.map((b) => parseInt(b, 16)));

Deno.test("ACK CIF: light and full", () => {
  const cases: { name: string; ack: AckInfo; wire: string }[] = [
    { name: "light", ack: { lastAckSeq: 0x100 }, wire: "00000100" },
    {
      name: "full",
      ack: {
        lastAckSeq: 0x7fffffff,
        rttUs: 100000,
        rttVarUs: 50000,
        availableBuffer: 8192,
        packetsPerSecond: 1000,
        linkCapacity: 5000,
        bytesPerSecond: 1316000,
      },
      wire: "7fffffff 000186a0 0000c350 00002000 000003e8 00001388 001414a0",
    },
  ];
  for (const c of cases) {
    assert.deepEqual(encodeAck(c.ack), hex(c.wire), c.name);
    assert.deepEqual(decodeAck(hex(c.wire)), c.ack, c.name);
  }
  // A small ACK (4 words) decodes the fields it has.
  assert.deepEqual(decodeAck(hex("00000005 00000001 00000002 00000003")), {
    lastAckSeq: 5,
    rttUs: 1,
    rttVarUs: 2,
    availableBuffer: 3,
  });
  assert.throws(() => decodeAck(new Uint8Array(2)), ProtocolError);
});

Deno.test("loss lists: singles, ranges and wrapped ranges", () => {
  const cases: { name: string; ranges: SeqRange[]; wire: string }[] = [
    { name: "single", ranges: [[5, 5]], wire: "00000005" },
    { name: "range", ranges: [[5, 9]], wire: "80000005 00000009" },
    { name: "mixed", ranges: [[1, 1], [3, 4], [10, 10]], wire: "00000001 80000003 00000004 0000000a" },
    { name: "wraps", ranges: [[0x7ffffffe, 1]], wire: "fffffffe 00000001" },
    { name: "empty", ranges: [], wire: "" },
  ];
  for (const c of cases) {
    assert.deepEqual(encodeLossList(c.ranges), c.wire ? hex(c.wire) : new Uint8Array(0), c.name);
    assert.deepEqual(decodeLossList(c.wire ? hex(c.wire) : new Uint8Array(0)), c.ranges, c.name);
  }
});

Deno.test("bad loss lists are a ProtocolError", () => {
  for (const wire of ["80000005", "80000009 00000005"]) {
    assert.throws(() => decodeLossList(hex(wire)), ProtocolError, wire);
  }
});

Deno.test("DROPREQ CIF round trip", () => {
  const bytes = encodeDropRequest(10, 20);
  assert.deepEqual(bytes, hex("0000000a 00000014"));
  assert.deepEqual(decodeDropRequest(bytes), [10, 20]);
  assert.throws(() => decodeDropRequest(new Uint8Array(4)), ProtocolError);
});

Deno.test("toRanges collapses consecutive numbers across the wrap", () => {
  assert.deepEqual(toRanges([1, 2, 3, 7, 9, 10]), [[1, 3], [7, 7], [9, 10]]);
  assert.deepEqual(toRanges([0x7ffffffe, 0x7fffffff, 0, 1]), [[0x7ffffffe, 1]]);
  assert.deepEqual(toRanges([]), []);
});
