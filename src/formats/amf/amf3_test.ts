import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { decodeAmf3, encodeAmf3 } from "./amf3.ts";
import { type AmfValue, ecmaArray, isEcmaArray } from "./types.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

const cases: { name: string; value: AmfValue; bytes: string }[] = [
  { name: "undefined", value: undefined, bytes: "00" },
  { name: "null", value: null, bytes: "01" },
  { name: "false", value: false, bytes: "02" },
  { name: "true", value: true, bytes: "03" },
  { name: "integer 1 byte", value: 5, bytes: "04 05" },
  { name: "integer 2 bytes", value: 200, bytes: "04 8148" },
  { name: "integer 3 bytes", value: 0x4000, bytes: "04 818000" },
  { name: "integer 4 bytes", value: 0x0fffffff, bytes: "04 bfffffff" },
  { name: "negative integer", value: -1, bytes: "04 ffffffff" },
  { name: "double", value: 1.5, bytes: "05 3ff8000000000000" },
  { name: "big number as double", value: 2 ** 30, bytes: "05 41d0000000000000" },
  { name: "string", value: "abc", bytes: "06 07 616263" },
  { name: "empty string", value: "", bytes: "06 01" },
  { name: "date", value: new Date(1000), bytes: "08 01 408f400000000000" },
  { name: "dense array", value: [1, true], bytes: "09 05 01 04 01 03" },
  { name: "assoc array", value: ecmaArray({ a: 1 }), bytes: "09 01 03 61 04 01 01" },
  { name: "anonymous object", value: { a: "b" }, bytes: "0a 0b 01 03 61 06 03 62 01" },
  { name: "byte array", value: new Uint8Array([1, 2]), bytes: "0c 05 0102" },
];

for (const c of cases) {
  Deno.test(`amf3 encode ${c.name}`, () => {
    assert.equal(toHex(encodeAmf3(c.value)), toHex(hex(c.bytes)));
  });
  Deno.test(`amf3 decode ${c.name}`, () => {
    const { value, end } = decodeAmf3(hex(c.bytes));
    assert.deepEqual(value, c.value);
    assert.equal(end, hex(c.bytes).byteLength);
  });
  Deno.test(`amf3 round trip ${c.name}`, () => {
    assert.equal(toHex(encodeAmf3(decodeAmf3(hex(c.bytes)).value)), toHex(hex(c.bytes)));
  });
}

Deno.test("amf3 string and object references", () => {
  // [ "ab", ref "ab", {x:1} sealed with traits, object of traits ref 0 ]
  const b = hex(
    "09 09 01" + // array of 4, no assoc
      "06 05 6162" + // "ab" (string 0)
      "06 00" + // string ref 0
      "0a 13 03 43 03 78 04 01" + // traits: 1 sealed member, class "C", member "x" = 1
      "0a 01 04 02", // traits ref 0: x = 2
  );
  const v = decodeAmf3(b).value as AmfValue[];
  assert.deepEqual(v, ["ab", "ab", { x: 1 }, { x: 2 }]);
});

Deno.test("amf3 mixed array keeps dense items by index", () => {
  const v = decodeAmf3(hex("09 03 03 6b 04 07 01 04 09")).value as Record<string, AmfValue>;
  assert.ok(isEcmaArray(v));
  assert.deepEqual({ ...v }, { k: 7, 0: 9 });
});

Deno.test("amf3 vectors", () => {
  assert.deepEqual(decodeAmf3(hex("0d 05 00 ffffffff 00000002")).value, [-1, 2]);
  assert.deepEqual(decodeAmf3(hex("0f 03 00 3ff8000000000000")).value, [1.5]);
});

const malformed: { name: string; bytes: string; rule: RegExp }[] = [
  { name: "truncated U29", bytes: "04 81", rule: /AMF3 at offset 2: U29 integer needs 1 bytes/ },
  {
    name: "string ref out of range",
    bytes: "06 02",
    rule: /AMF3 at offset 1: string reference 1 is invalid/,
  },
  { name: "externalizable", bytes: "0a 07 01", rule: /offset 0: externalizable objects are not supported/ },
  { name: "huge array", bytes: "09 ffffffff", rule: /array count .* exceeds/ },
  { name: "unknown marker", bytes: "13", rule: /type marker 0x13 is not a supported AMF3 type/ },
];

for (const c of malformed) {
  Deno.test(`amf3 malformed: ${c.name}`, () => {
    assert.throws(() => decodeAmf3(hex(c.bytes)), (e: unknown) => {
      assert.ok(e instanceof ProtocolError, String(e));
      assert.match(e.message, c.rule);
      return true;
    });
  });
}
