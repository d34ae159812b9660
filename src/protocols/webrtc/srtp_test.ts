import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import {
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  RtpHeader,
  SrtpSession,
} from "werift";
import { HmacSha1, patchSrtpContext, SrtpEncryptor } from "./srtp.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** werift's SRTP session as its DTLS transport creates it (same keys both ways). */
function session(key: Buffer, salt: Buffer, profile: number) {
  return new SrtpSession({
    keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt },
    profile: profile as typeof ProtectionProfileAes128CmHmacSha1_80,
  });
}

Deno.test("HmacSha1 equals node:crypto's HMAC-SHA1 (RFC 2202 case 1, every length around the block edges)", () => {
  assert.equal(
    Buffer.from(new HmacSha1(Buffer.alloc(20, 0x0b)).mac(Buffer.from("Hi There"), 8)).toString("hex"),
    "b617318655057264e28bc0b6fb378c8ef146be00",
  );
  const key = Buffer.from(Array.from({ length: 20 }, (_, i) => i * 13 + 1));
  const h = new HmacSha1(key);
  const msg = Buffer.from(Array.from({ length: 1300 }, (_, i) => (i * 7 + 3) & 0xff));
  for (const len of [...Array(200).keys(), 1000, 1166, 1299]) {
    const want = createHmac("sha1", key).update(msg.subarray(0, len)).digest("hex");
    assert.equal(Buffer.from(h.mac(msg, len)).toString("hex"), want, `length ${len}`);
  }
});

Deno.test("SrtpEncryptor keystream: RFC 3711 B.2 AES-CM test vectors", () => {
  const enc = new SrtpEncryptor({
    key: hex("2B7E151628AED2A6ABF7158809CF4F3C"),
    salt: hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"),
    authKey: Buffer.alloc(20),
  });
  const ks = enc.keystream(0, 0, 0, 0xff02 * 16);
  const block = (n: number) => ks.subarray(n * 16, n * 16 + 16).toString("hex").toUpperCase();
  assert.equal(block(0), "E03EAD0935C95E80E166B16DD92B4EB4");
  assert.equal(block(1), "D23513162B02D0F72A43A2FE4A5F97AB");
  assert.equal(block(2), "41E95B3BB0A2E8DD477901E4FCA894C0");
  assert.equal(block(0xfeff), "EC8CDF7398607CB0F2D21675EA9EA1E4");
  assert.equal(block(0xff00), "362B7C3C6773516318A077D7FC5073AE");
  assert.equal(block(0xff01), "6A2CC3787889374FBEB4C81B17BA6C44");
});

Deno.test("werift's SRTP context (pinned): RFC 3711 B.3 key derivation, the fields patchSrtpContext reads", () => {
  const ctx = session(
    hex("E1F97A0D3E018BE0D64FA32C06DE4139"),
    hex("0EC675AD498AFEEBB6960B3AABE6"),
    ProtectionProfileAes128CmHmacSha1_80,
  ).localContext;
  assert.equal(ctx.srtpSessionKey.toString("hex").toUpperCase(), "C61E7A93744F39EE10734AFE3FF7A087");
  assert.equal(ctx.srtpSessionSalt.toString("hex").toUpperCase(), "30CBBC08863D8C85D49DB34A9AE1");
  assert.equal(
    ctx.srtpSessionAuthTag.toString("hex").toUpperCase(),
    "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4",
  );
  assert.equal(typeof (ctx.cipher as unknown as { encryptRtp: unknown }).encryptRtp, "function");
});

/** Packets of two SSRCs, sizes from a few bytes to the MTU, across a sequence-number wrap (ROC 0 → 1). */
function* packets() {
  for (let i = 0; i < 400; i++) {
    const video = i % 5 !== 0;
    const header = new RtpHeader({
      ssrc: video ? 0x11223344 : 0xa0b0c0d0,
      payloadType: video ? 102 : 111,
      sequenceNumber: ((video ? 65300 : 65500) + i) & 0xffff,
      timestamp: (i * 3000) >>> 0,
      marker: i % 7 === 0,
    });
    const size = video ? 1 + ((i * 97) % 1180) : 80 + (i % 40);
    const payload = Buffer.from(Array.from({ length: size }, (_, j) => (i * 31 + j) & 0xff));
    yield { header, payload };
  }
}

Deno.test("patchSrtpContext: the same SRTP bytes as werift's own cipher, and werift decrypts them", () => {
  const key = hex("000102030405060708090a0b0c0d0e0f"), salt = hex("a0a1a2a3a4a5a6a7a8a9aaabacad");
  const original = session(key, salt, ProtectionProfileAes128CmHmacSha1_80);
  const patched = session(key, salt, ProtectionProfileAes128CmHmacSha1_80);
  const receiver = session(key, salt, ProtectionProfileAes128CmHmacSha1_80);
  assert.ok(patchSrtpContext(patched.localContext));
  let n = 0;
  for (const { header, payload } of packets()) {
    const want = original.encrypt(payload, header);
    const got = patched.encrypt(payload, header);
    assert.equal(got.toString("hex"), want.toString("hex"), `packet ${n} (seq ${header.sequenceNumber})`);
    const plain = receiver.decrypt(got);
    assert.equal(plain.subarray(plain.length - payload.length).toString("hex"), payload.toString("hex"));
    n++;
  }
  assert.equal(n, 400);
});

Deno.test("patchSrtpContext leaves another profile (AEAD AES-128-GCM) alone", () => {
  const ctx = session(Buffer.alloc(16, 1), Buffer.alloc(12, 2), ProtectionProfileAeadAes128Gcm).localContext;
  const cipher = ctx.cipher;
  assert.equal(patchSrtpContext(ctx), undefined);
  assert.equal(ctx.cipher, cipher);
});

Deno.test("SrtpEncryptor rejects keys of the wrong size, naming the size", () => {
  assert.throws(
    () => new SrtpEncryptor({ key: Buffer.alloc(15), salt: Buffer.alloc(14), authKey: Buffer.alloc(20) }),
    /SRTP key of 15 bytes: must be 16/,
  );
  assert.throws(
    () => new SrtpEncryptor({ key: Buffer.alloc(16), salt: Buffer.alloc(12), authKey: Buffer.alloc(20) }),
    /SRTP salt of 12 bytes: must be 14/,
  );
});
