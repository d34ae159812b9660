import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { constantTimeEqual, hmacSha256, md5Hex, sha256, toHex } from "./hash.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("sha256: the FIPS 180-4 examples, and node:crypto on every length around the block edges", () => {
  assert.equal(toHex(sha256(enc("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(
    toHex(sha256(new Uint8Array())),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  for (let n = 0; n < 200; n++) {
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
    assert.equal(toHex(sha256(data)), createHash("sha256").update(data).digest("hex"), `length ${n}`);
  }
  const big = crypto.getRandomValues(new Uint8Array(1536));
  assert.equal(
    toHex(sha256(big.subarray(0, 700), big.subarray(700))),
    createHash("sha256").update(big).digest("hex"),
  );
});

Deno.test("hmacSha256 matches node:crypto for short, 64-byte and long keys (RTMP's keys are 30..68 bytes)", () => {
  for (const keyLength of [0, 30, 36, 64, 68, 100]) {
    const key = crypto.getRandomValues(new Uint8Array(keyLength));
    const a = crypto.getRandomValues(new Uint8Array(1000)), b = crypto.getRandomValues(new Uint8Array(504));
    assert.equal(
      toHex(hmacSha256(key, a, b)),
      createHmac("sha256", key).update(a).update(b).digest("hex"),
      `key length ${keyLength}`,
    );
  }
});

Deno.test("md5Hex: the RFC 1321 suite and node:crypto on UTF-8 text", () => {
  assert.equal(md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  assert.equal(md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  assert.equal(md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  assert.equal(
    md5Hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
    "57edf4a22be3c955ac49da2e2107b67a",
  );
  for (let n = 0; n < 150; n++) {
    const s = "ü".repeat(n % 7) + "x".repeat(n);
    assert.equal(md5Hex(s), createHash("md5").update(s).digest("hex"), `length ${n}`);
  }
});

Deno.test("constantTimeEqual", () => {
  assert.ok(constantTimeEqual(enc("abc"), enc("abc")));
  assert.ok(!constantTimeEqual(enc("abc"), enc("abd")));
  assert.ok(!constantTimeEqual(enc("abc"), enc("abcd")));
});
