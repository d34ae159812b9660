import assert from "node:assert/strict";
import { SharedOutputs } from "./shared_outputs.ts";
import { Stream } from "./stream.ts";
import { aframe, vframe } from "./_fixtures_test_util.ts";

class Out {
  closed = 0;
  close() {
    this.closed++;
  }
}

Deno.test("shared outputs: one instance per id, the last release closes it", () => {
  const o = new SharedOutputs();
  let made = 0;
  const a = o.acquire("x", () => (made++, new Out()));
  const b = o.acquire("x", () => (made++, new Out()));
  assert.equal(made, 1);
  assert.equal(a.value, b.value);
  assert.equal(o.refs("x"), 2);
  a.release();
  a.release(); // idempotent
  assert.equal(a.value.closed, 0);
  b.release();
  assert.equal(a.value.closed, 1);
  assert.equal(o.has("x"), false);
});

Deno.test("shared outputs: a linger keeps the output for a quick re-acquire", async () => {
  const o = new SharedOutputs();
  const a = o.acquire("x", () => new Out());
  a.release(30);
  const b = o.acquire("x", () => new Out());
  assert.equal(b.value, a.value, "re-acquired within the linger");
  b.release(20);
  assert.equal(o.peek<Out>("x")?.closed, 0);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(a.value.closed, 1);
  assert.equal(o.size, 0);
});

Deno.test("shared outputs: the stream's end takes them all; a late acquire gets a private one", () => {
  const o = new SharedOutputs();
  const a = o.acquire("x", () => new Out());
  const taken = o.takeAll();
  assert.deepEqual(taken, [a.value]);
  a.release(); // after the end: nothing left to close here, the stream closes what it took
  assert.equal(a.value.closed, 0);
  const late = o.acquire("x", () => new Out());
  assert.equal(o.size, 0);
  late.release();
  assert.equal(late.value.closed, 1);
});

function stream(tracksWaitMs = 50) {
  return new Stream({
    app: "live",
    name: "s",
    vhost: "h",
    info: { from: "test" },
    gop: { enabled: true, maxFrames: 100, maxBytes: 1 << 20 },
    tracksWaitMs,
  });
}

Deno.test("tracksReady: announced tracks resolve it as soon as both are known", async () => {
  const s = stream(10_000);
  s.expectTracks({ video: true, audio: true });
  s.write(vframe(0));
  assert.equal(s.isTracksReady, false);
  s.write(aframe(0));
  const tracks = await s.tracksReady;
  assert.deepEqual(tracks.map((t) => t.kind), ["video", "audio"]);
  s.end();
});

Deno.test("tracksReady: an audio-only announcement does not wait for video", async () => {
  const s = stream(10_000);
  s.expectTracks({ video: false, audio: true });
  s.write(aframe(0));
  assert.deepEqual((await s.tracksReady).map((t) => t.kind), ["audio"]);
  s.end();
});

Deno.test("tracksReady: a track that never comes is waited for a bounded time", async () => {
  const s = stream(40);
  s.expectTracks({ video: true, audio: true });
  const t0 = Date.now();
  s.write(vframe(0));
  const tracks = await s.tracksReady;
  assert.deepEqual(tracks.map((t) => t.kind), ["video"]);
  assert.ok(Date.now() - t0 >= 30, "waited for the missing audio");
  s.end();
});

Deno.test("tracksReady: the stream's end settles it", async () => {
  const s = stream(10_000);
  s.end();
  assert.deepEqual(await s.tracksReady, []);
});
