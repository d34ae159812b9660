import assert from "node:assert/strict";
import { Stream } from "./stream.ts";
import { aframe, tick, vframe } from "./_fixtures_test_util.ts";

function newStream(enabled = true) {
  return new Stream({
    app: "live",
    name: "s",
    vhost: "h",
    info: { from: "test" },
    gop: { enabled, maxFrames: 100, maxBytes: 1 << 20 },
  });
}

Deno.test("stream GOP cache starts at the last keyframe and gives a joining reader a fast start", async () => {
  const s = newStream();
  for (let i = 0; i < 45; i++) {
    s.write(vframe(i));
    s.write(aframe(i));
  }
  assert.equal(s.gopCache[0].dts, 30 * 3000);
  assert.equal(s.gopCache[0].key, true);
  const got: number[] = [];
  s.addReader((fs) => {
    for (const f of fs) if (f.track.kind === "video") got.push(f.dts / 3000);
  });
  s.write(vframe(45));
  await tick();
  assert.deepEqual(got, Array.from({ length: 16 }, (_, i) => 30 + i));
  assert.equal(s.stats.gop, 30);
  assert.equal(s.stats.videoFrames, 46);
  s.end();
});

Deno.test("without a GOP cache a reader starts at the next keyframe", async () => {
  const s = newStream(false);
  for (let i = 0; i < 35; i++) s.write(vframe(i));
  const got: number[] = [];
  s.addReader((fs) => {
    got.push(...fs.map((f) => f.dts / 3000));
  });
  for (let i = 35; i < 62; i++) s.write(vframe(i));
  await tick();
  assert.deepEqual(got, [60, 61]);
  s.end();
});

Deno.test("GOP cache overflow empties it until the next keyframe", () => {
  const s = new Stream({
    app: "live",
    name: "s",
    vhost: "h",
    info: { from: "test" },
    gop: { enabled: true, maxFrames: 10, maxBytes: 1 << 20 },
  });
  for (let i = 0; i < 15; i++) s.write(vframe(i));
  assert.equal(s.gopCache.length, 0);
  for (let i = 15; i < 31; i++) s.write(vframe(i));
  assert.equal(s.gopCache.length, 1);
  s.end();
});

Deno.test("stream end closes readers, resolves ended, and counts players", async () => {
  const s = newStream();
  const r = s.addReader(() => {});
  const release = s.attachPlayer("rtmp");
  assert.equal(s.players.get("rtmp"), 1);
  release();
  release();
  assert.equal(s.players.get("rtmp"), 0);
  s.end("bye");
  assert.equal(await s.ended, "bye");
  await r.done;
  assert.equal(s.readerCount, 0);
});

Deno.test("setTrack notifies listeners only on a new track object", () => {
  const s = newStream();
  const seen: string[] = [];
  s.onTrack((t) => seen.push(t.codec));
  const f = vframe(0);
  s.setTrack(f.track);
  s.setTrack(f.track);
  s.write(aframe(0));
  assert.deepEqual(seen, ["h264", "aac"]);
  s.end();
});

Deno.test("stream counts every loss of its readers and tells its drop listeners", async () => {
  const s = newStream(false);
  const seen: number[] = [];
  const off = s.onDrop((st) => seen.push(st.stats.dropped.reader_queue.frames));
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  let perReader = 0;
  s.addReader(() => gate, { maxBytes: 500, onDrop: (_r, frames) => perReader += frames });
  s.write(vframe(0, 10));
  await tick(); // the sink takes frame 0 and blocks
  for (let i = 1; i < 12; i++) s.write(vframe(i, 10)); // 100 bytes each: 1..6 overflow the queue
  assert.deepEqual(s.stats.dropped.reader_queue, { frames: 9, bytes: 900 }); // 1..6, then 7..9 skipped
  assert.equal(perReader, 9, "the reader's own onDrop still hears of every loss");
  assert.deepEqual(seen, [6, 7, 8, 9]);
  assert.deepEqual(s.stats.dropped.player_backlog, { frames: 0, bytes: 0 });
  off();
  release();
  await tick();
  s.end();
});
