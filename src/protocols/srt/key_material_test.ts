import assert from "node:assert/strict";
import {
  BadSecretError,
  decodeKeyMaterial,
  encodeKeyMaterial,
  KmKeys,
  newStreamKeys,
  openKeyMaterial,
  sealKeyMaterial,
} from "./key_material.ts";
import { ProtocolError } from "../../core/errors.ts";

const PASS = "0123456789abcdef";

Deno.test("KM message: libsrt header bytes, sizes per key length", async () => {
  for (const [len, size] of [[16, 56], [24, 64], [32, 72]]) {
    const keys = await newStreamKeys(PASS, len);
    const bytes = await sealKeyMaterial(keys);
    assert.equal(bytes.length, size, `klen ${len}`);
    assert.deepEqual([...bytes.subarray(0, 16)], [
      0x12,
      0x20,
      0x29,
      1,
      0,
      0,
      0,
      0,
      2,
      0,
      2,
      0,
      0,
      0,
      4,
      len / 4,
    ]);
    const km = decodeKeyMaterial(bytes);
    assert.equal(km.keys, KmKeys.Even);
    assert.deepEqual(encodeKeyMaterial(km), bytes, "re-encodes byte for byte");
    const opened = await openKeyMaterial(bytes, PASS);
    assert.deepEqual(opened.even, keys.even);
    assert.deepEqual(opened.kek, keys.kek);
  }
});

Deno.test("KM message with both keys wraps even first", async () => {
  const keys = await newStreamKeys(PASS, 32);
  keys.odd = crypto.getRandomValues(new Uint8Array(32));
  const bytes = await sealKeyMaterial(keys);
  assert.equal(bytes.length, 104);
  assert.equal(bytes[3], KmKeys.Both);
  const opened = await openKeyMaterial(bytes, PASS, keys);
  assert.deepEqual(opened.even, keys.even);
  assert.deepEqual(opened.odd, keys.odd);
});

Deno.test("a wrong passphrase is a BadSecretError", async () => {
  const bytes = await sealKeyMaterial(await newStreamKeys(PASS, 16));
  await assert.rejects(openKeyMaterial(bytes, "not the right one"), BadSecretError);
});

Deno.test("malformed KM messages are a ProtocolError", async () => {
  const good = await sealKeyMaterial(await newStreamKeys(PASS, 16));
  const mutate = (f: (b: Uint8Array) => void) => {
    const b = good.slice();
    f(b);
    return b;
  };
  const cases: [string, Uint8Array][] = [
    ["short", good.subarray(0, 10)],
    ["bad version byte", mutate((b) => b[0] = 0x22)],
    ["bad sign", mutate((b) => b[1] = 0)],
    ["no key", mutate((b) => b[3] = 0)],
    ["bad key length", mutate((b) => b[15] = 5)],
    ["length mismatch", good.subarray(0, 52)],
    ["GCM cipher", mutate((b) => b[8] = 4)],
  ];
  for (const [name, bytes] of cases) {
    await assert.rejects(openKeyMaterial(bytes, PASS), ProtocolError, name);
  }
});
