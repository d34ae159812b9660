import assert from "node:assert/strict";
import { Deadlines } from "./deadlines.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("Deadlines: one runs out within a tick of its time, with its reason; a cleared one never does", async () => {
  const dl = new Deadlines(10);
  const fired: [string, number][] = [];
  const t0 = performance.now();
  const a = dl.create((why) => fired.push([why, performance.now() - t0]));
  const b = dl.create((why) => fired.push([why, performance.now() - t0]));
  a.arm(40, "request head");
  b.arm(40, "keep-alive idle");
  b.clear();
  assert.equal(dl.armed, 1);
  await sleep(100);
  assert.equal(fired.length, 1);
  assert.equal(fired[0][0], "request head");
  assert.ok(fired[0][1] >= 40 && fired[0][1] < 90, `fired at ${fired[0][1]} ms`);
  // Nothing armed: the sweep timer stopped.
  assert.equal(dl.running, false);
});

Deno.test("Deadlines: arming again replaces the time and the reason (a request's head, then the next idle wait)", async () => {
  const dl = new Deadlines(10);
  const fired: string[] = [];
  const d = dl.create((why) => fired.push(why));
  d.arm(30, "request head");
  await sleep(15);
  d.arm(60, "keep-alive idle");
  await sleep(40);
  assert.deepEqual(fired, [], "the first arming was replaced");
  await sleep(60);
  assert.deepEqual(fired, ["keep-alive idle"]);
  // Re-armed after it ran out, it runs out again.
  d.arm(10, "request head");
  await sleep(50);
  assert.deepEqual(fired, ["keep-alive idle", "request head"]);
  assert.equal(dl.running, false);
});

Deno.test("Deadlines: a throwing expire does not stop the sweep for the others", async () => {
  const dl = new Deadlines(10);
  const fired: string[] = [];
  dl.create(() => {
    throw new Error("boom");
  }).arm(10, "x");
  dl.create((why) => fired.push(why)).arm(10, "y");
  await sleep(60);
  assert.deepEqual(fired, ["y"]);
});

Deno.test("Deadlines: the timer follows the earliest deadline instead of ticking; only an earlier arming moves it", async () => {
  const dl = new Deadlines(10);
  const fired: string[] = [];
  const a = dl.create((why) => fired.push(why));
  const b = dl.create((why) => fired.push(why));
  a.arm(200, "keep-alive idle");
  assert.equal(dl.timerSets, 1);
  // Later armings (every request re-arms its connection's idle wait) leave the timer alone.
  for (let i = 0; i < 50; i++) a.arm(200 + i, "keep-alive idle");
  b.arm(300, "keep-alive idle");
  assert.equal(dl.timerSets, 1);
  // An earlier one moves it once; later ones again leave it.
  b.arm(60, "request head");
  b.arm(70, "request head");
  assert.equal(dl.timerSets, 2);
  await sleep(130);
  // The timer woke at 60 ms (b had moved to 70: set again), ended b at 70, then waits for a.
  assert.deepEqual(fired, ["request head"]);
  assert.equal(dl.timerSets, 4);
  a.clear();
  await sleep(200);
  assert.deepEqual(fired, ["request head"], "a cleared deadline never runs out");
  assert.equal(dl.running, false);
  assert.equal(dl.timerSets, 4);
});

Deno.test("Deadlines: deadlines close together are ended by one wake-up, at most a tick late", async () => {
  const dl = new Deadlines(30);
  const fired: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) {
    dl.create(() => fired.push(performance.now() - t0)).arm(40 + i * 5, "request head");
  }
  // Wait for all five (a busy machine fires timers late; how late is not what this test is about).
  for (let i = 0; i < 100 && fired.length < 5; i++) await sleep(20);
  assert.equal(fired.length, 5);
  for (const t of fired) assert.ok(t >= 39, `fired at ${t} ms, before its deadline`);
  assert.ok(dl.timerSets <= 2, `the timer was set ${dl.timerSets} times`);
});
