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
