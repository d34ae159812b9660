import assert from "node:assert/strict";
import { NACK_FLOOR_PER_S, NACK_SHARE, NackBudget, RESEND_GAP_MS } from "./nack.ts";

Deno.test("NackBudget: a packet is resent once per gap (or 1.5 RTT), however often it is NACKed", () => {
  const b = new NackBudget(0);
  assert.equal(b.admit(7, 1000), "resend");
  // werift NACKs every 5 ms: the repeats within the gap are not answered.
  for (let t = 1005; t < 1000 + RESEND_GAP_MS; t += 5) assert.equal(b.admit(7, t), "recent");
  assert.equal(b.admit(7, 1000 + RESEND_GAP_MS), "resend");
  // A slow viewer (RTT 100 ms): its repeats wait 150 ms.
  assert.equal(b.admit(9, 2000, 100), "resend");
  assert.equal(b.admit(9, 2100, 100), "recent");
  assert.equal(b.admit(9, 2150, 100), "resend");
});

Deno.test("NackBudget: resends per second are capped at the floor or a share of the packets sent", () => {
  const b = new NackBudget(0);
  // Quiet stream: the floor applies; a storm of distinct NACKs in one second gets that many answers.
  let resent = 0, over = 0;
  for (let i = 0; i < 1000; i++) {
    const v = b.admit(i, 10_000 + i / 10);
    if (v === "resend") resent++;
    if (v === "over-budget") over++;
  }
  assert.ok(resent >= NACK_FLOOR_PER_S && resent <= NACK_FLOOR_PER_S + 12, `resent ${resent}`);
  assert.equal(over, 1000 - resent);

  // 1000 packets/s sent: the budget becomes NACK_SHARE of them once a whole second has been counted.
  const c = new NackBudget(20_000);
  for (let t = 20_000; t < 22_000; t += 10) c.sent(10, t);
  assert.equal(c.rate(22_000), NACK_SHARE * 1000);
  let ok = 0;
  for (let i = 0; i < 2000; i++) if (c.admit(i, 22_000 + i / 2) === "resend") ok++;
  // About one second of budget over the second these NACKs span, plus what was banked.
  assert.ok(ok >= NACK_SHARE * 1000 && ok <= NACK_SHARE * 1000 * 2 + 5, `resent ${ok}`);
  // The rate falls back to the floor when sending stops.
  assert.equal(c.rate(30_000), NACK_FLOOR_PER_S);
});
