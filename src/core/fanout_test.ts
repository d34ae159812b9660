import assert from "node:assert/strict";
import { Fanout, type FanoutMuxer, type FanoutOptions, type FanoutSink } from "./fanout.ts";
import { Stream } from "./stream.ts";
import type { Frame } from "./frame.ts";
import { tick, vframe } from "./_fixtures_test_util.ts";

/** Muxes each frame to 1 byte (its index) so received bytes spell the frame sequence. */
const muxer: FanoutMuxer = {
  mux(f: Frame, out: Uint8Array[]) {
    out.push(new Uint8Array([(f.dts / 3000) & 0xff]));
  },
  header: () => new Uint8Array([0xff]),
};

const opts: FanoutOptions = { batchMs: 5, maxQueueBytes: 64, maxDrops: 3, stallMs: 2000, fastStart: true };

function newStream() {
  return new Stream({
    app: "live",
    name: "s",
    vhost: "h",
    info: { from: "t" },
    gop: { enabled: true, maxFrames: 100, maxBytes: 1 << 20 },
  });
}

class Sink implements FanoutSink {
  writes: Uint8Array[] = [];
  closedWith = "";
  gate: Promise<void> | null = null;
  write(b: Uint8Array) {
    this.writes.push(b);
    return this.gate ?? Promise.resolve();
  }
  close(reason: string) {
    this.closedWith = reason;
  }
  get bytes() {
    return this.writes.flatMap((w) => [...w]);
  }
}

Deno.test("fanout shares one chunk object among caught-up players", async () => {
  const s = newStream();
  const f = s.outputs.acquire("t", () => new Fanout(s, muxer, opts)).value;
  const a = new Sink(), b = new Sink();
  f.subscribe(a);
  f.subscribe(b);
  for (let i = 0; i < 3; i++) s.write(vframe(i, 30));
  await tick(20);
  assert.deepEqual(a.bytes, [0xff, 0, 1, 2]);
  assert.deepEqual(b.bytes, [0xff, 0, 1, 2]);
  assert.equal(a.writes[1], b.writes[1], "same Uint8Array for both players");
  assert.equal(f.stats.chunks, 1);
  s.end();
});

Deno.test("fanout cuts chunks at keyframes and a late joiner starts at the GOP", async () => {
  const s = newStream();
  const f = s.outputs.acquire("t", () => new Fanout(s, muxer, opts)).value;
  f.subscribe(new Sink());
  for (let i = 0; i < 8; i++) s.write(vframe(i, 5));
  await tick(20);
  assert.equal(f.stats.chunks, 2); // [0..4], [5..7]
  const late = new Sink();
  f.subscribe(late, new Uint8Array([0xee]));
  s.write(vframe(8, 5));
  await tick(20);
  assert.deepEqual(late.bytes, [0xee, 0xff, 5, 6, 7, 8]);
  s.end();
});

Deno.test("fanout drops a slow player to the next key chunk, then disconnects it", async () => {
  const s = newStream();
  const f = s.outputs.acquire(
    "t",
    () =>
      new Fanout(s, { ...muxer, mux: (fr, out) => out.push(new Uint8Array(20).fill(fr.dts / 3000)) }, opts),
  ).value;
  const slow = new Sink();
  slow.gate = new Promise(() => {}); // never drains
  const fast = new Sink();
  const slowSub = f.subscribe(slow);
  f.subscribe(fast);
  let notified = 0;
  s.onDrop(() => notified++);
  for (let i = 0; i < 60; i++) {
    s.write(vframe(i, 2));
    await tick(7);
  }
  await tick(30);
  assert.match(slow.closedWith, /too slow/);
  assert.equal(f.size, 1);
  assert.equal(fast.closedWith, "");
  assert.equal(fast.bytes.length, 1 + 60 * 20);
  // The stream counts what its players were handed and what the slow one lost (20 bytes a frame).
  assert.equal(s.stats.bytesOut, fast.bytes.length + slow.bytes.length);
  const lost = s.stats.dropped.player_backlog;
  assert.deepEqual(lost, { frames: slowSub.stats.droppedFrames, bytes: slowSub.stats.droppedBytes });
  assert.ok(lost.frames >= 4 * 3, `${lost.frames} frames lost over ${slowSub.stats.drops} overflows`);
  assert.equal(lost.bytes, lost.frames * 20);
  assert.ok(notified >= slowSub.stats.drops);
  assert.deepEqual(s.stats.dropped.reader_queue, { frames: 0, bytes: 0 });
  s.end();
  await tick();
  assert.match(fast.closedWith, /ended/);
});

Deno.test("fanout with fastStart off makes a joiner wait for the next keyframe", async () => {
  const s = newStream();
  const f = s.outputs.acquire("t", () => new Fanout(s, muxer, { ...opts, fastStart: false })).value;
  f.subscribe(new Sink());
  for (let i = 0; i < 3; i++) s.write(vframe(i, 5));
  await tick(20);
  const j = new Sink();
  f.subscribe(j);
  for (let i = 3; i < 7; i++) s.write(vframe(i, 5));
  await tick(20);
  assert.deepEqual(j.bytes, [0xff, 5, 6]);
  assert.deepEqual(s.stats.dropped.player_backlog, { frames: 0, bytes: 0 }, "waiting to join is no loss");
  s.end();
});

/** A sink whose socket takes `take(n)` bytes of a trySend at once (the rest goes by write). */
class DirectSink extends Sink {
  direct: number[] = [];
  busy = 0;
  constructor(readonly take: (n: number) => number) {
    super();
  }
  trySend(b: Uint8Array): number {
    assert.equal(this.busy, 0, "never a direct send while a write is in flight");
    const n = this.take(b.byteLength);
    if (n > 0) this.writes.push(b.subarray(0, n));
    this.direct.push(n);
    return n;
  }
  override write(b: Uint8Array) {
    this.busy++;
    this.writes.push(b);
    return tick(2).then(() => {
      this.busy--;
    });
  }
}

Deno.test("fanout sends straight onto the socket when it takes the bytes; the rest of a partial send follows in order by write", async () => {
  const s = newStream();
  const f = s.outputs.acquire("t", () => new Fanout(s, muxer, opts)).value;
  const whole = new DirectSink((n) => n);
  let k = 0;
  // Every third send: the socket takes nothing; every third: part; else all.
  const mixed = new DirectSink((n) => [n, n >> 1, 0][k++ % 3]);
  const plain = new Sink();
  f.subscribe(whole);
  f.subscribe(mixed);
  f.subscribe(plain);
  for (let i = 0; i < 40; i++) {
    s.write(vframe(i, 7));
    await tick(3);
  }
  await tick(30);
  const expected = [0xff, ...Array.from({ length: 40 }, (_, i) => i)];
  assert.deepEqual(whole.bytes, expected);
  assert.deepEqual(mixed.bytes, expected, "partial and refused sends keep the byte order");
  assert.deepEqual(plain.bytes, expected);
  assert.ok(whole.direct.length > 0 && whole.direct.every((n) => n >= 0));
  assert.ok(mixed.direct.some((n) => n === 0) && mixed.direct.length > 3);
  s.end();
});
