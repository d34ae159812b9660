import assert from "node:assert/strict";
import { createCipheriv, pbkdf2Sync } from "node:crypto";
import { deriveKek, loadPacketCipher, PacketCipher, unwrapKeys, wrapKeys } from "./crypto.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, "").match(/../g)!.map((b) => parseInt(b, 16)));

Deno.test("AES key wrap matches the RFC 3394 test vectors", async () => {
  const cases = [
    {
      name: "4.1: 128-bit data, 128-bit KEK",
      kek: "000102030405060708090A0B0C0D0E0F",
      data: "00112233445566778899AABBCCDDEEFF",
      wrapped: "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5",
    },
    {
      name: "4.6: 256-bit data, 256-bit KEK",
      kek: "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
      data: "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
      wrapped: "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21",
    },
  ];
  for (const c of cases) {
    assert.deepEqual(await wrapKeys(hex(c.kek), hex(c.data)), hex(c.wrapped), c.name);
    assert.deepEqual(await unwrapKeys(hex(c.kek), hex(c.wrapped)), hex(c.data), c.name);
    const tampered = hex(c.wrapped);
    tampered[5] ^= 1;
    assert.equal(await unwrapKeys(hex(c.kek), tampered), undefined, c.name);
  }
});

Deno.test("KEK: PBKDF2-HMAC-SHA1 over the last 8 salt bytes, 2048 rounds", async () => {
  const salt = hex("00112233445566778899aabbccddeeff");
  for (const len of [16, 24, 32]) {
    const want = pbkdf2Sync("0123456789abcdef", salt.subarray(8), 2048, len, "sha1");
    assert.deepEqual(await deriveKek("0123456789abcdef", salt, len), new Uint8Array(want), `klen ${len}`);
  }
});

Deno.test("AES-CTR counter block: salt[0..13] XOR seq at bytes 10..13, counter from 0", async () => {
  await loadPacketCipher();
  const salt = hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  const key = hex("000102030405060708090a0b0c0d0e0f");
  const seq = 0x01020304;
  const payload = new Uint8Array(40).map((_, i) => i);
  const c = new PacketCipher(salt);
  assert.equal(c.apply(1, seq, payload), undefined, "no even key yet");
  c.setKey(1, key);
  const out = c.apply(1, seq, payload)!;
  // Reference: keystream = AES-ECB(key, counter block), block counter in bytes 14..15.
  const ecb = createCipheriv("aes-128-ecb", key, null).setAutoPadding(false);
  const want = new Uint8Array(40);
  for (let blk = 0; blk < 3; blk++) {
    const ctr = salt.slice(0, 16);
    ctr[10] ^= 1, ctr[11] ^= 2, ctr[12] ^= 3, ctr[13] ^= 4;
    ctr[14] = 0, ctr[15] = blk;
    const ks = ecb.update(ctr);
    for (let i = 0; i < 16 && blk * 16 + i < 40; i++) want[blk * 16 + i] = payload[blk * 16 + i] ^ ks[i];
  }
  assert.deepEqual(new Uint8Array(out), want);
  assert.deepEqual(new Uint8Array(c.apply(1, seq, out)!), payload, "decrypts back");
  assert.notDeepEqual(new Uint8Array(c.apply(1, seq + 1, payload)!), want, "the sequence number matters");
});
