import assert from "node:assert/strict";
import { buildRtp, parseRtp, seqDelta } from "./packet.ts";
import { ProtocolError } from "../../core/errors.ts";

const cases = [
  { name: "plain", h: { payloadType: 96, marker: true, sequence: 1, timestamp: 90000, ssrc: 0x12345678 } },
  {
    name: "max fields",
    h: { payloadType: 127, marker: false, sequence: 65535, timestamp: 0xffffffff, ssrc: 0xffffffff },
  },
  { name: "zero", h: { payloadType: 0, marker: false, sequence: 0, timestamp: 0, ssrc: 0 } },
];

for (const c of cases) {
  Deno.test(`rtp packet round trip: ${c.name}`, () => {
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    const p = parseRtp(buildRtp(c.h, payload));
    assert.deepEqual({ ...p, payload: [...p.payload] }, { ...c.h, payload: [1, 2, 3, 4, 5] });
  });
}

Deno.test("rtp packet: CSRCs, extension and padding are stripped", () => {
  const b = new Uint8Array([
    0xb1,
    96,
    0,
    7,
    0,
    0,
    0,
    9,
    0,
    0,
    0,
    1, // V=2 P=1 X=1 CC=1
    0,
    0,
    0,
    2, // CSRC
    0xbe,
    0xde,
    0,
    1,
    1,
    2,
    3,
    4, // extension, 1 word
    0xaa,
    0xbb, // payload
    0,
    0,
    3, // padding (3 bytes)
  ]);
  const p = parseRtp(b);
  assert.deepEqual([...p.payload], [0xaa, 0xbb]);
  assert.equal(p.sequence, 7);
});

const bad: [string, number[]][] = [
  ["too short", [0x80, 96, 0]],
  ["version 1", [0x40, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ["extension past end", [0x90, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ["padding past end", [0xa0, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40]],
];
for (const [name, bytes] of bad) {
  Deno.test(`rtp packet rejects ${name}`, () => {
    assert.throws(() => parseRtp(new Uint8Array(bytes)), ProtocolError);
  });
}

Deno.test("seqDelta wraps at 16 bits", () => {
  for (const [a, b, d] of [[0, 1, 1], [65535, 0, 1], [0, 65535, -1], [100, 50, -50], [65000, 200, 736]]) {
    assert.equal(seqDelta(a, b), d, `${a}→${b}`);
  }
});
