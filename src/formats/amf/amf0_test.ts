import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { decodeAmf0, decodeAmf0All, encodeAmf0 } from "./amf0.ts";
import { type AmfValue, ecmaArray, isEcmaArray } from "./types.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** One table feeds encode, decode and the round trip. */
const cases: { name: string; value: AmfValue; bytes: string }[] = [
  { name: "number", value: 1.5, bytes: "00 3ff8000000000000" },
  { name: "number zero", value: 0, bytes: "00 0000000000000000" },
  { name: "boolean true", value: true, bytes: "01 01" },
  { name: "boolean false", value: false, bytes: "01 00" },
  { name: "string", value: "connect", bytes: "02 0007 636f6e6e656374" },
  { name: "empty string", value: "", bytes: "02 0000" },
  { name: "utf-8 string", value: "é", bytes: "02 0002 c3a9" },
  { name: "null", value: null, bytes: "05" },
  { name: "undefined", value: undefined, bytes: "06" },
  {
    name: "object",
    value: { app: "live", n: 1 },
    bytes: "03 0003 617070 02 0004 6c697665 0001 6e 00 3ff0000000000000 0000 09",
  },
  { name: "empty object", value: {}, bytes: "03 0000 09" },
  {
    name: "ECMA array",
    value: ecmaArray({ width: 640 }),
    bytes: "08 00000001 0005 7769647468 00 4084000000000000 0000 09",
  },
  { name: "strict array", value: [1, "a"], bytes: "0a 00000002 00 3ff0000000000000 02 0001 61" },
  { name: "date", value: new Date(1000), bytes: "0b 408f400000000000 0000" },
  { name: "nested", value: { o: { p: null } }, bytes: "03 0001 6f 03 0001 70 05 0000 09 0000 09" },
];

for (const c of cases) {
  Deno.test(`amf0 encode ${c.name}`, () => {
    assert.equal(toHex(encodeAmf0(c.value)), toHex(hex(c.bytes)));
  });
  Deno.test(`amf0 decode ${c.name}`, () => {
    const { value, end } = decodeAmf0(hex(c.bytes));
    assert.deepEqual(value, c.value);
    assert.equal(end, hex(c.bytes).byteLength);
  });
  Deno.test(`amf0 round trip ${c.name}`, () => {
    assert.equal(toHex(encodeAmf0(decodeAmf0(hex(c.bytes)).value)), toHex(hex(c.bytes)));
  });
}

Deno.test("amf0 long string switches marker past 65535 bytes", () => {
  const s = "x".repeat(70000);
  const b = encodeAmf0(s);
  assert.equal(b[0], 0x0c);
  assert.equal(new DataView(b.buffer).getUint32(1), 70000);
  assert.equal(decodeAmf0(b).value, s);
});

Deno.test("amf0 reference points at an earlier object", () => {
  // strict array [obj, ref 1]: the array itself is reference 0, the object reference 1
  const b = hex("0a 00000002 03 0001 61 00 3ff0000000000000 0000 09 07 0001");
  const v = decodeAmf0(b).value as AmfValue[];
  assert.equal(v[0], v[1]);
  assert.deepEqual(v[1], { a: 1 });
});

Deno.test("amf0 typed object decodes as a plain object", () => {
  const v = decodeAmf0(hex("10 0001 43 0001 61 05 0000 09")).value;
  assert.deepEqual(v, { a: null });
});

Deno.test("amf0 avmplus marker switches one value to AMF3", () => {
  // 0x11 then AMF3 integer 5, then an AMF0 string: the switch covers one value only
  assert.deepEqual(decodeAmf0All(hex("11 04 05 02 0001 61")), [5, "a"]);
});

Deno.test("amf0 decodes ffmpeg's onMetaData script tag", () => {
  const body = Deno.readFileSync(new URL("./testdata/ffmpeg_onmetadata.bin", import.meta.url));
  const [name, meta] = decodeAmf0All(body) as [string, Record<string, AmfValue>];
  assert.equal(name, "onMetaData");
  assert.ok(isEcmaArray(meta));
  assert.equal(meta.width, 320);
  assert.equal(meta.height, 240);
  assert.equal(meta.videocodecid, 7);
  assert.equal(meta.audiocodecid, 10);
  assert.equal(meta.stereo, false);
  assert.equal(meta.encoder, "Lavf59.27.100");
  assert.equal(toHex(encodeAmf0(name, meta)), toHex(body));
});

Deno.test("amf0 ECMA array without end marker at end of body is accepted", () => {
  const v = decodeAmf0(hex("08 00000001 0001 61 05")).value;
  assert.deepEqual(v, { a: null });
});

const malformed: { name: string; bytes: string; rule: RegExp }[] = [
  { name: "empty", bytes: "", rule: /offset 0: type marker needs 1 bytes/ },
  { name: "truncated number", bytes: "00 3ff0", rule: /offset 1: number needs 8 bytes but only 2 remain/ },
  { name: "string longer than body", bytes: "02 0010 6162", rule: /offset 3: string needs 16 bytes/ },
  {
    name: "unknown marker",
    bytes: "03 0001 61 42",
    rule: /offset 4: type marker 0x42 is not a supported AMF0 type/,
  },
  { name: "stray object end", bytes: "09", rule: /offset 0: object end marker/ },
  {
    name: "object without end",
    bytes: "03 0001 61 05",
    rule: /offset 5: property name length needs 2 bytes/,
  },
  {
    name: "huge strict array",
    bytes: "0a ffffffff 05",
    rule: /offset 0: strict array count 4294967295 exceeds/,
  },
  { name: "bad reference", bytes: "07 0003", rule: /offset 0: reference 3 is invalid/ },
  { name: "reserved movieclip", bytes: "04", rule: /type marker 0x04/ },
];

for (const c of malformed) {
  Deno.test(`amf0 malformed: ${c.name}`, () => {
    assert.throws(() => decodeAmf0(hex(c.bytes)), (e: unknown) => {
      assert.ok(e instanceof ProtocolError, String(e));
      assert.match(e.message, c.rule);
      return true;
    });
  });
}

Deno.test("amf0 nesting past the depth bound is a ProtocolError, not a stack overflow", () => {
  const b = new Uint8Array(100000).fill(0x0a, 0).map((_, i) => (i % 5 === 0 ? 0x0a : i % 5 === 4 ? 1 : 0));
  assert.throws(() => decodeAmf0(b), ProtocolError);
});
