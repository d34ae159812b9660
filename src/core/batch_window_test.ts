import assert from "node:assert/strict";
import { BatchWindow, DELIVERY_SHARE, FLUSH_BYTES } from "./batch_window.ts";
import { aframe, vframe } from "./_fixtures_test_util.ts";

Deno.test("BatchWindow: cheap deliveries end a batch at every video frame; audio waits for the next video frame", () => {
  const w = new BatchWindow(20);
  assert.equal(w.endsBatch(vframe(0), 0, 100), true, "a keyframe goes out at once");
  assert.equal(w.endsBatch(aframe(1), 0, 20), false, "audio rides along with the next video frame");
  assert.equal(w.endsBatch(vframe(1), 10, 120), true);
  assert.ok(Math.abs(w.videoIntervalMs - 100 / 3) < 0.01, "learns the video frame interval from dts");
  // Cheap: the window stays at batchms, and the timer is a fallback of 1.5 video frames.
  const timer = w.delivered(0.1, 20, 150);
  assert.equal(w.windowMs, 20);
  assert.equal(timer, 50);
});

Deno.test("BatchWindow: an expensive delivery widens the window up to maxbatchms; a batch ends at the last video frame before it", () => {
  const w = new BatchWindow(20);
  w.endsBatch(vframe(0), 0, 0);
  w.endsBatch(vframe(1), 0, 0);
  w.delivered(8, 20, 150);
  assert.equal(w.windowMs, 8 / DELIVERY_SHARE, "window = delivery time / its share of the time");
  assert.ok(w.windowMs > 50 && w.windowMs < 60, `${w.windowMs}`);
  assert.equal(w.endsBatch(vframe(2), 10, 0), false, "~53 ms window: a frame 10 ms in waits");
  assert.equal(w.endsBatch(vframe(3), 50, 0), true, "the next video frame would come after the deadline");
  for (let i = 0; i < 200; i++) w.delivered(100, 20, 150);
  assert.equal(w.windowMs, 150, "capped at maxbatchms");
  for (let i = 0; i < 200; i++) w.delivered(0.01, 20, 150);
  assert.equal(w.windowMs, 20, "narrows again when deliveries get cheap");
});

Deno.test("BatchWindow: a large batch goes out at once; an audio-only stream uses the timer", () => {
  const w = new BatchWindow(20);
  assert.equal(w.endsBatch(aframe(0), 0, FLUSH_BYTES), true);
  assert.equal(w.endsBatch(aframe(1), 5, 100), false);
  assert.equal(w.delivered(0.1, 20, 150), 20, "no video: the window is the timer");
});

Deno.test("BatchWindow: a smaller delivery share (a worker of several) widens the window as the whole audience would", () => {
  const one = new BatchWindow(20), worker = new BatchWindow(20);
  // One process delivers to 500 players in 4 ms; each of two workers to 250 in 2 ms.
  one.delivered(4, 20, 150);
  worker.delivered(2, 20, 150, DELIVERY_SHARE / 2);
  assert.equal(one.windowMs, 4 / DELIVERY_SHARE);
  assert.equal(worker.windowMs, one.windowMs);
});
