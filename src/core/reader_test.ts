import assert from "node:assert/strict";
import { Reader } from "./reader.ts";
import type { Frame } from "./frame.ts";
import { aframe, tick, vframe } from "./_fixtures_test_util.ts";

Deno.test("reader delivers frames in order, batching what arrives together", async () => {
  const batches: number[][] = [];
  const r = new Reader((fs) => {
    batches.push(fs.map((f) => f.dts / 3000));
  });
  for (let i = 0; i < 5; i++) r.push(vframe(i));
  await tick();
  assert.deepEqual(batches, [[0, 1, 2, 3, 4]]);
  r.close();
});

Deno.test("reader overflow drops to the next keyframe and counts it", async () => {
  const got: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const lost = { calls: 0, frames: 0, bytes: 0 };
  const r = new Reader(async (fs) => {
    await gate;
    for (const f of fs) got.push(f.dts / 3000);
  }, {
    maxBytes: 1000,
    onDrop: (_r, frames, bytes) => {
      lost.calls++;
      lost.frames += frames;
      lost.bytes += bytes;
    },
  });
  r.push(vframe(0, 10)); // taken by the sink, which blocks
  await tick();
  for (let i = 1; i < 25; i++) r.push(vframe(i, 10)); // 100 bytes each → overflows at frame 11
  release();
  await tick(5);
  assert.equal(r.stats.drops, 1);
  // Every loss is reported: the 11 queued frames at the overflow, then frames 12..19 one by one.
  assert.deepEqual(lost, { calls: 1 + 8, frames: 19, bytes: 1900 });
  assert.equal(r.stats.droppedFrames, 19);
  assert.equal(r.stats.droppedBytes, 1900);
  assert.equal(got.length + lost.frames, 25, "every frame is either delivered or counted as lost");
  assert.equal(got[0], 0);
  // After the drop, delivery restarts exactly at a keyframe.
  const restart = got[1];
  assert.equal(restart % 10, 0, `restarted at frame ${restart}`);
  assert.deepEqual(got.slice(1), Array.from({ length: got.length - 1 }, (_, i) => restart + i));
  r.close();
});

Deno.test("reader closes itself after too many drops", async () => {
  let reason = "";
  const r = new Reader(() => new Promise(() => {}), {
    maxBytes: 150,
    maxDrops: 2,
    onClose: (_r, why) => reason = why,
  });
  for (let i = 0; i < 40; i++) r.push(vframe(i, 2));
  await tick();
  assert.equal(r.closed, true);
  assert.match(reason, /too slow/);
});

Deno.test("reader finish() delivers what is queued, then closes", async () => {
  const got: Frame[] = [];
  const r = new Reader((fs) => {
    got.push(...fs);
  }, { batchMs: 50 });
  r.push(vframe(0));
  r.push(vframe(1));
  r.finish("end");
  await r.done;
  assert.equal(got.length, 2);
  assert.equal(r.closeReason, "end");
});

Deno.test("reader skipToRestartPoint waits for a keyframe", async () => {
  const got: number[] = [];
  const r = new Reader((fs) => {
    got.push(...fs.map((f) => f.dts / 3000));
  }, { onDrop: () => assert.fail("a join without a GOP cache loses nothing") });
  r.skipToRestartPoint();
  for (let i = 1; i < 12; i++) r.push(vframe(i, 10));
  await tick();
  assert.deepEqual(got, [10, 11]);
  assert.equal(r.stats.droppedFrames, 0);
  r.close();
});

Deno.test("reader endsBatch: a frame that ends the batch is delivered at once, before the window", async () => {
  const batches: number[] = [];
  const r = new Reader((fs) => {
    batches.push(fs.length);
  }, { batchMs: 1000, endsBatch: (f) => f.track.kind === "video" });
  r.push(aframe(0));
  r.push(aframe(1));
  await tick(5);
  assert.deepEqual(batches, [], "audio waits for the window");
  r.push(vframe(1));
  await tick(5);
  assert.deepEqual(batches, [3], "the video frame ended the batch with the audio before it");
  r.close();
});
