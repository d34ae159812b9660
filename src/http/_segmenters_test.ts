import assert from "node:assert/strict";
import { Stream } from "../core/stream.ts";
import type { Frame } from "../core/frame.ts";
import type { AacTrack, G711Track, H264Track, Track } from "../core/track.ts";
import { TsDemuxer } from "../formats/mpegts/mod.ts";
import { type OutputTracks, Waiters } from "../formats/segment/mod.ts";
import { nullLogger } from "../log/mod.ts";
import { type RegistryLimits, SegmenterRegistry } from "./_segmenters.ts";
import { tracksReady } from "./_segmenter_output.ts";

// Real tracks (complete codec parameters) from the TS fixture.
const [V, A] = await (async () => {
  const tracks: Track[] = [];
  const d = new TsDemuxer({ onTrack: (t) => tracks.push(t), onFrame: () => {} });
  d.push(await Deno.readFile(new URL("../formats/segment/testdata/h264_aac_3s.mpegts", import.meta.url)));
  d.flush();
  return [
    tracks.find((t) => t.kind === "video") as H264Track,
    tracks.find((t) => t.kind === "audio") as AacTrack,
  ];
})();
const G711 = { kind: "audio", codec: "pcma", clockRate: 8000, sampleRate: 8000, channels: 1 } as G711Track;
const vframe = (n: number, track = V): Frame => ({
  track,
  dts: n * 3000,
  pts: n * 3000,
  key: n % 30 === 0,
  data: new Uint8Array(10),
});

/** Counts what it is fed; numbered like the real ones (`first` continues the previous one). */
class FakeSegmenter {
  frames = 0;
  ended = false;
  readonly #waiters = new Waiters();
  constructor(readonly tracks: OutputTracks, readonly first: number) {}
  get next(): number {
    return this.first + this.frames;
  }
  push(frames: readonly Frame[]) {
    this.frames += frames.length;
    this.#waiters.wake();
  }
  end() {
    this.ended = true;
    this.#waiters.end();
  }
  wait(ready: () => boolean, signal?: AbortSignal, timeoutMs?: number) {
    return this.#waiters.wait(ready, signal, timeoutMs);
  }
}

let n = 0;
function stream(): Stream {
  return new Stream({
    app: "live",
    name: `s${n++}`,
    vhost: "h",
    info: { from: "test" },
    gop: { enabled: true, maxFrames: 1000, maxBytes: 1 << 20 },
    tracksWaitMs: 50,
  });
}

function registry(limits: Partial<RegistryLimits> = {}) {
  const l: RegistryLimits = { graceMs: 10_000, idleMs: 10_000, playerTimeoutMs: 10_000, ...limits };
  const r = new SegmenterRegistry<FakeSegmenter>({ protocol: "hls", limits: () => l, log: nullLogger });
  const create = (tracks: OutputTracks, prev: FakeSegmenter | undefined) =>
    new FakeSegmenter(tracks, prev?.next ?? 0);
  return { r, l, get: (s: Stream, pinned = false) => r.acquire(s, "ts", create, { pinned }) };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
/** Waits until `ok()` holds, checking every 10 ms; fails after `ms`. */
async function until(ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await tick(10);
  }
}

Deno.test("segmenters: one shared output per stream and variant, fed by one reader, counted in stats", async () => {
  const { r, get } = registry();
  const s = stream();
  s.setTrack(V);
  s.write(vframe(0));
  const a = get(s)!;
  assert.equal(get(s), a, "the same segmenter for every request");
  assert.deepEqual(s.outputs.ids(), ["hls:ts"]);
  assert.equal(s.outputs.refs("hls:ts"), 1, "the registry holds one lease");
  assert.equal(s.readerCount, 1);
  s.write(vframe(1));
  await tick();
  assert.equal(a.frames, 2, "the GOP cache, then live frames");
  r.seen(s.key, "ts", "10.0.0.1|ua");
  r.seen(s.key, "ts", "10.0.0.1|ua");
  assert.equal(s.players.get("hls"), 1);
  assert.deepEqual(r.stats(), {
    outputs: 1,
    live: 1,
    players: 1,
    muxers: [{ path: s.key, variant: "ts", players: 1 }],
  });
  r.close();
  assert.equal(a.ended, true, "the last release stops the muxing");
  assert.equal(s.outputs.size, 0);
  assert.equal(s.readerCount, 0);
  assert.equal(s.players.get("hls"), 0);
  s.end();
});

Deno.test("segmenters: nobody asks for idleMs: released; silent players stop counting", async () => {
  // Wide margins around each deadline: the suite runs two test files at once on a small machine.
  const { r, get } = registry({ idleMs: 400, playerTimeoutMs: 100 });
  const s = stream();
  s.setTrack(V);
  const a = get(s)!;
  r.seen(s.key, "ts", "p");
  await tick(200);
  assert.equal(r.find(s.key, "ts"), a, "a segment request keeps it");
  await tick(150); // the player was last seen 350 ms ago; the segmenter last asked for 150 ms ago
  assert.equal(s.players.get("hls"), 0);
  assert.equal(a.ended, false);
  await until(() => a.ended, 2000);
  assert.equal(s.outputs.has("hls:ts"), false);
  assert.equal(r.size, 0);
  r.close();
  s.end();
});

Deno.test("segmenters: a pinned one is never idle", async () => {
  const { r, get } = registry({ idleMs: 20 });
  const s = stream();
  s.setTrack(V);
  const a = get(s, true)!;
  await tick(60);
  assert.equal(a.ended, false);
  assert.equal(r.stats().live, 1);
  r.close();
  s.end();
});

Deno.test("segmenters: after the stream ends, the ended one serves for graceMs; a republish continues its numbering", async () => {
  const { r, get } = registry({ graceMs: 40 });
  const s1 = stream();
  s1.setTrack(V);
  for (let i = 0; i < 5; i++) s1.write(vframe(i));
  const a = get(s1)!;
  await tick();
  s1.end();
  await tick();
  assert.equal(a.ended, true);
  assert.equal(r.findEnded(s1.key, "ts"), a);
  assert.deepEqual(r.stats(), { outputs: 1, live: 0, players: 0, muxers: [] });
  r.seen(s1.key, "ts", "late");
  assert.equal(r.stats().players, 0, "an ended output counts no player");
  // The same key again, within the grace period.
  const s2 = new Stream({
    app: "live",
    name: s1.name,
    vhost: "h",
    info: { from: "test" },
    gop: { enabled: true, maxFrames: 9, maxBytes: 1 << 20 },
  });
  s2.setTrack(V);
  const b = get(s2)!;
  assert.notEqual(b, a);
  assert.equal(b.first, a.next, "numbering continues");
  assert.equal(r.findEnded(s1.key, "ts"), undefined);
  s2.end();
  await tick(100);
  assert.equal(r.size, 0, "gone after the grace period");
  r.close();
});

Deno.test("segmenters: new tracks restart the segmenter; a stream with nothing to carry gets none", async () => {
  const { r, get } = registry();
  const s = stream();
  s.setTrack(V);
  const a = get(s)!;
  s.setTrack(A);
  const b = get(s)!;
  assert.notEqual(b, a);
  assert.equal(a.ended, true);
  assert.deepEqual(b.tracks, { video: V, audio: A });
  assert.equal(get(s), b, "unchanged tracks: the same one");
  assert.equal(s.readerCount, 1, "the old reader is gone");
  assert.equal(s.outputs.refs("hls:ts"), 1);
  const g = stream();
  g.setTrack(G711);
  assert.equal(get(g), undefined, "G.711 alone: nothing HLS can carry");
  assert.equal(g.outputs.size, 0);
  await tick();
  r.close();
  s.end();
  g.end();
});

Deno.test("segmenters: limits are read on every sweep (a reload changes them in place)", async () => {
  const { r, l, get } = registry({ idleMs: 10_000 });
  const s = stream();
  s.setTrack(V);
  const a = get(s)!;
  await tick(20);
  l.idleMs = 5;
  await tick(1100);
  assert.equal(a.ended, true);
  r.close();
  s.end();
});

Deno.test("tracksReady: waits for the announced tracks, bounded, and for nothing once known", async () => {
  const s = stream();
  s.expectTracks({ video: true, audio: true });
  s.setTrack(V);
  let done = false;
  const p = tracksReady(s).then(() => done = true);
  await tick();
  assert.equal(done, false, "audio was announced");
  s.setTrack(A);
  await p;
  const t0 = Date.now();
  await tracksReady(s);
  assert.ok(Date.now() - t0 < 5);
  const silent = stream(); // published, but nothing came yet: the stream's own wait never starts
  const t1 = Date.now();
  await tracksReady(silent, undefined, 30);
  assert.ok(Date.now() - t1 >= 25);
  const gone = new AbortController();
  const q = tracksReady(silent, gone.signal, 10_000);
  gone.abort();
  await q;
  s.end();
  silent.end();
});
