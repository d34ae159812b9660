import assert from "node:assert/strict";
import {
  concat,
  readI24,
  readU16,
  readU24,
  readU32,
  u32Bytes,
  writeU16,
  writeU24,
  writeU32,
} from "./bytes.ts";

Deno.test("concat joins parts in order, with or without a known size", () => {
  const parts = [Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)];
  assert.deepEqual(concat(parts), Uint8Array.of(1, 2, 3));
  assert.deepEqual(concat(parts, 3), Uint8Array.of(1, 2, 3));
  assert.deepEqual(concat([]), new Uint8Array(0));
  // Views keep their own offsets: only the viewed bytes are copied.
  const base = Uint8Array.of(9, 8, 7, 6);
  assert.deepEqual(concat([base.subarray(1, 3), base.subarray(0, 1)]), Uint8Array.of(8, 7, 9));
});

// One table feeds the writers and the readers: [width, value, bytes].
const cases: [16 | 24 | 32, number, number[]][] = [
  [16, 0, [0, 0]],
  [16, 0x1234, [0x12, 0x34]],
  [16, 0xffff, [0xff, 0xff]],
  [24, 0x123456, [0x12, 0x34, 0x56]],
  [24, 0xffffff, [0xff, 0xff, 0xff]],
  [32, 0x12345678, [0x12, 0x34, 0x56, 0x78]],
  [32, 0x80000000, [0x80, 0, 0, 0]],
  [32, 0xffffffff, [0xff, 0xff, 0xff, 0xff]],
];

const writers = { 16: writeU16, 24: writeU24, 32: writeU32 };
const readers = { 16: readU16, 24: readU24, 32: readU32 };

for (const [bits, value, bytes] of cases) {
  Deno.test(`u${bits} ${value.toString(16)} round-trips at an offset`, () => {
    const buf = new Uint8Array(2 + bytes.length).fill(0xaa);
    writers[bits](buf, 1, value);
    assert.deepEqual([...buf], [0xaa, ...bytes, 0xaa], "neighbours untouched");
    assert.equal(readers[bits](buf, 1), value);
    if (bits === 32) assert.deepEqual([...u32Bytes(value)], bytes);
  });
}

Deno.test("signed 24-bit values: writeU24 stores two's complement, readI24 reads it back", () => {
  const cases: [number, number[]][] = [
    [0, [0, 0, 0]],
    [1, [0, 0, 1]],
    [-1, [0xff, 0xff, 0xff]],
    [0x7fffff, [0x7f, 0xff, 0xff]],
    [-0x800000, [0x80, 0, 0]],
    [-33, [0xff, 0xff, 0xdf]],
  ];
  for (const [v, bytes] of cases) {
    const b = new Uint8Array(3);
    writeU24(b, 0, v);
    assert.deepEqual([...b], bytes, String(v));
    assert.equal(readI24(b, 0), v, String(v));
  }
});
