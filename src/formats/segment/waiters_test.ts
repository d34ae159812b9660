import assert from "node:assert/strict";
import { waitAtMost, Waiters } from "./waiters.ts";

Deno.test("Waiters: resolves when the condition holds after a wake, false on end, abort or timeout", async () => {
  const w = new Waiters();
  let n = 0;
  assert.equal(await w.wait(() => true), true, "already true: no wait");

  const two = w.wait(() => n >= 2);
  const ten = w.wait(() => n >= 10);
  const ac = new AbortController();
  const aborted = w.wait(() => n >= 99, ac.signal);
  assert.equal(w.size, 3);
  n = 1;
  w.wake();
  assert.equal(w.size, 3, "nothing is ready yet");
  n = 2;
  w.wake();
  assert.equal(await two, true);
  ac.abort();
  assert.equal(await aborted, false);
  assert.equal(w.size, 1);

  const timedOut = await waitAtMost(w, () => n >= 50, { timeoutMs: 20 });
  assert.equal(timedOut, false);
  assert.equal(w.size, 1, "the timed-out wait is gone");

  w.end();
  assert.equal(await ten, false);
  assert.equal(w.size, 0);
  assert.equal(await w.wait(() => n >= 10), false, "after the end a wait that cannot hold fails at once");
  assert.equal(await w.wait(() => n >= 2), true, "…and one that holds succeeds");
});

Deno.test("waitAtMost: a request that already left waits for nothing; a wake inside the bound wins", async () => {
  const w = new Waiters();
  const gone = AbortSignal.abort();
  assert.equal(await waitAtMost(w, () => false, { timeoutMs: 1000, signal: gone }), false);
  let ready = false;
  const p = waitAtMost(w, () => ready, { timeoutMs: 1000, signal: new AbortController().signal });
  ready = true;
  w.wake();
  assert.equal(await p, true);
});

Deno.test("Waiters: bounded waits end at their bound, earliest first, from one timer for the set", async () => {
  const w = new Waiters();
  const order: string[] = [];
  const late = w.wait(() => false, undefined, 60).then((ok) => order.push(`late ${ok}`));
  const early = w.wait(() => false, undefined, 20).then((ok) => order.push(`early ${ok}`));
  let ready = false;
  const woken = w.wait(() => ready, undefined, 1000).then((ok) => order.push(`woken ${ok}`));
  assert.equal(w.size, 3);
  await early;
  assert.deepEqual(order, ["early false"]);
  ready = true;
  w.wake();
  await woken;
  await late;
  assert.deepEqual(order, ["early false", "woken true", "late false"]);
  assert.equal(w.size, 0, "no wait and no timer left behind");
  assert.equal(await w.wait(() => false, undefined, 0), false, "a bound of 0 does not wait");
});
