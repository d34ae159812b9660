import assert from "node:assert/strict";
import { Keying } from "./keying.ts";
import { newStreamKeys } from "./key_material.ts";

const settle = () => new Promise((r) => setTimeout(r, 0));

async function pair(refreshRate: number, preAnnounce: number) {
  const keys = await newStreamKeys("0123456789abcdef", 16);
  const opts = { passphrase: "0123456789abcdef", keys, refreshRate, preAnnounce };
  return { a: new Keying(opts), b: new Keying(opts) };
}

/** Delivers A's pending KMREQ to B and B's echo back to A, as the control path does. */
async function exchangeKm(a: Keying, b: Keying, nowUs: number) {
  const req = a.pendingRequest(nowUs, 0);
  if (!req) return false;
  a.onKmResponse(await b.onKmRequest(req));
  return true;
}

Deno.test("key refresh waits for the ACK of every packet sent with the key it replaces", async () => {
  const { a, b } = await pair(8, 2);
  const plain = (seq: number) => new Uint8Array(32).fill(seq);
  const sent: { seq: number; key: number; bytes: Uint8Array }[] = [];
  let now = 0;
  // Nothing is acknowledged: the first switch (even → odd) may happen, the second may not,
  // because its new even key would strand the even packets still awaiting retransmission.
  for (let seq = 0; seq < 40; seq++) {
    const { key, bytes } = a.encrypt(seq, plain(seq));
    sent.push({ seq, key, bytes });
    await settle();
    await exchangeKm(a, b, now += 100_000);
  }
  assert.equal(a.stats.refreshes, 1);
  // Every unacknowledged packet is still decryptable: a retransmission would arrive intact.
  for (const p of sent) assert.deepEqual(b.decrypt(p.key, p.seq, p.bytes), plain(p.seq), `seq ${p.seq}`);
  // Once the peer acknowledges the even packets, refreshes resume.
  a.onAck(40);
  for (let seq = 40; seq < 60; seq++) {
    const { key, bytes } = a.encrypt(seq, plain(seq));
    await settle();
    await exchangeKm(a, b, now += 100_000);
    assert.deepEqual(b.decrypt(key, seq, bytes), plain(seq), `seq ${seq}`);
    a.onAck(seq + 1);
  }
  assert.ok(a.stats.refreshes >= 3, `${a.stats.refreshes} refreshes`);
});
