import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import {
  box,
  children,
  findBox,
  fullBox,
  parseBoxes,
  u16,
  u24,
  u32,
  u64,
  u8,
  writeBoxHeader,
} from "./box.ts";

const ints: { name: string; got: Uint8Array; want: number[] }[] = [
  { name: "u8", got: u8(0x1ff), want: [0xff] },
  { name: "u16", got: u16(0x1234), want: [0x12, 0x34] },
  { name: "u24", got: u24(0x123456), want: [0x12, 0x34, 0x56] },
  { name: "u32", got: u32(0xdeadbeef), want: [0xde, 0xad, 0xbe, 0xef] },
  { name: "u64", got: u64(2 ** 40 + 5), want: [0, 0, 1, 0, 0, 0, 0, 5] },
];
for (const c of ints) {
  Deno.test(`box integer ${c.name}`, () => assert.deepEqual([...c.got], c.want));
}

Deno.test("box and fullBox layout", () => {
  assert.deepEqual([...box("free")], [0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65]);
  assert.deepEqual([...fullBox("mfhd", 1, 0x020304, u32(7))], [
    0,
    0,
    0,
    16,
    0x6d,
    0x66,
    0x68,
    0x64,
    1,
    2,
    3,
    4,
    0,
    0,
    0,
    7,
  ]);
  assert.throws(() => box("abc"), RangeError);
});

Deno.test("writeBoxHeader matches box()", () => {
  const out = new Uint8Array(12);
  assert.equal(writeBoxHeader(out, 2, 10, "mdat"), 10);
  assert.deepEqual(out.subarray(2, 10), box("mdat", new Uint8Array(2)).subarray(0, 8));
});

Deno.test("parseBoxes, children and findBox walk nested boxes", () => {
  const bytes = new Uint8Array([
    ...box("moov", box("trak", box("tkhd", u32(1))), box("trak", box("tkhd", u32(2)))),
    ...box("mdat", u8(9)),
  ]);
  const tops = parseBoxes(bytes);
  assert.deepEqual(tops.map((b) => [b.type, b.offset, b.size]), [["moov", 0, 48], ["mdat", 48, 9]]);
  assert.equal(children(tops[0]).length, 2);
  assert.deepEqual([...findBox(bytes, ["moov", "trak", "tkhd"])!.payload], [0, 0, 0, 1]);
  assert.equal(findBox(bytes, ["moov", "mvex"]), undefined);
});

Deno.test("parseBoxes reads largesize and size-0 (to end) boxes", () => {
  const large = new Uint8Array([0, 0, 0, 1, 0x6d, 0x64, 0x61, 0x74, 0, 0, 0, 0, 0, 0, 0, 18, 7, 8]);
  assert.deepEqual([...parseBoxes(large)[0].payload], [7, 8]);
  const toEnd = new Uint8Array([0, 0, 0, 0, 0x6d, 0x64, 0x61, 0x74, 1, 2, 3]);
  assert.equal(parseBoxes(toEnd)[0].size, 11);
});

const bad: { name: string; bytes: number[] }[] = [
  { name: "size past the end", bytes: [0, 0, 0, 20, 0x66, 0x72, 0x65, 0x65] },
  { name: "size smaller than the header", bytes: [0, 0, 0, 4, 0x66, 0x72, 0x65, 0x65] },
  { name: "trailing bytes", bytes: [0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65, 1, 2] },
];
for (const c of bad) {
  Deno.test(`parseBoxes rejects ${c.name}`, () => {
    assert.throws(() => parseBoxes(Uint8Array.from(c.bytes)), ProtocolError);
  });
}
