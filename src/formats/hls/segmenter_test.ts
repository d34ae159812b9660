import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import type { AacTrack, H264Track, H265Track, Track } from "../../core/track.ts";
import { concat } from "../../core/fanout.ts";
import { findBox, parseBoxes } from "../fmp4/mod.ts";
import { Fmp4SegmentWriter } from "./fmp4_writer.ts";
import { TsDemuxer } from "../mpegts/mod.ts";
import { HlsSegmenter, type HlsSegmenterOptions } from "./segmenter.ts";
import { parseMediaPlaylist } from "./parse.ts";
import { type SegmentWriter, TsSegmentWriter } from "./writer.ts";

const V = { kind: "video", codec: "h264", clockRate: 90000 } as H264Track;
const EMPTY = new Uint8Array(0);

/** Writes one byte per frame (its index), so tests can see which frames went where. */
class ByteWriter implements SegmentWriter {
  readonly ext = "m4s" as const;
  init() {
    return new Uint8Array([0xff]);
  }
  write(frames: readonly Frame[]) {
    return new Uint8Array(frames.map((f) => f.dts / 3000));
  }
}

function video(from: number, n: number, gop = 30): Frame[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { track: V, dts: i * 3000, pts: i * 3000, key: i % gop === 0, data: EMPTY };
  });
}

function segmenter(o: Partial<HlsSegmenterOptions> = {}, clock = { t: 1_700_000_000_000 }) {
  return new HlsSegmenter({
    writer: new ByteWriter(),
    primary: "video",
    targetMs: 1000,
    windowSize: 3,
    cacheSize: 2,
    uriPrefix: "cam/",
    now: () => clock.t,
    ...o,
  });
}

Deno.test("HlsSegmenter: the playlist slides and old segments stay in the cache a while", () => {
  const s = segmenter();
  s.push(video(0, 30 * 7 + 1)); // 7 complete 1 s segments
  const p = parseMediaPlaylist(s.playlist());
  assert.equal(p.mediaSequence, 4);
  assert.deepEqual(p.segments.map((x) => x.uri), ["cam/4.m4s", "cam/5.m4s", "cam/6.m4s"]);
  assert.deepEqual(p.segments.map((x) => x.duration), [1, 1, 1]);
  assert.equal(p.targetDuration, 1);
  assert.equal(p.map, "cam/init-0.mp4");
  assert.equal(p.version, 7);
  assert.equal(p.endList ?? false, false);
  // Window 3 + cache 2: segments 2..6 are still served, 1 is gone.
  assert.equal(s.segment(1), undefined);
  assert.deepEqual(s.segment(2)?.slice(0, 2), new Uint8Array([60, 61]));
  assert.equal(s.segment(6)?.length, 30);
  assert.equal(s.segment(7), undefined);
});

Deno.test("HlsSegmenter: program date time follows the wall clock of the first on-time frame", () => {
  const clock = { t: 1_700_000_000_000 };
  const t0 = clock.t;
  const s = segmenter({}, clock);
  // A GOP-cache burst: frames 0..14 arrive at once when frame 14 is due, then frames come on time.
  clock.t = t0 + 14 * 100 / 3;
  s.push(video(0, 15));
  for (let i = 15; i <= 60; i++) {
    clock.t = t0 + i * 100 / 3 + (i % 3); // a little network jitter
    s.push(video(i, 1));
  }
  const p = parseMediaPlaylist(s.playlist());
  assert.equal(p.segments[0].programDateTime, t0);
  assert.equal(p.segments[1].programDateTime, t0 + 1000);
});

Deno.test("HlsSegmenter: LL-HLS parts, preload hint and part bytes", () => {
  const s = segmenter({ partTargetMs: 334, targetMs: 2000 });
  s.push(video(0, 75)); // one 2 s segment (6 parts) + 15 frames of the next
  const p = parseMediaPlaylist(s.playlist({ lowLatency: true }));
  assert.equal(p.version, 9);
  assert.equal(p.segments.length, 1);
  assert.equal(p.segments[0].parts?.length, 6);
  assert.ok(p.segments[0].parts!.every((x) => x.duration <= 0.334));
  assert.deepEqual(p.segments[0].parts!.map((x) => x.independent), [true, false, false, true, false, false]);
  const ll = p.lowLatency!;
  assert.equal(ll.partTarget, 0.334);
  assert.equal(ll.partHoldBack, 1.002);
  assert.equal(ll.canBlockReload, true);
  // 15 frames into segment 1: one complete part (10 frames); the next global part is p7.
  assert.deepEqual(ll.pendingParts.map((x) => x.uri), ["cam/p6.m4s"]);
  assert.equal(ll.preloadHint, "cam/p7.m4s");
  assert.deepEqual(s.part(6), new Uint8Array([60, 61, 62, 63, 64, 65, 66, 67, 68, 69]));
  assert.deepEqual(s.part(3)?.slice(0, 1), new Uint8Array([30]));
  // Without LL the same segmenter gives a plain playlist.
  assert.equal(parseMediaPlaylist(s.playlist()).lowLatency, undefined);
});

Deno.test("HlsSegmenter: blocking waits resolve when the part appears, and on end", async () => {
  const s = segmenter({ partTargetMs: 334, targetMs: 2000 });
  s.push(video(0, 61)); // segment 0 complete, nothing of segment 1 yet
  assert.equal(s.hasPosition(0), true);
  assert.equal(s.hasPosition(0, 5), true);
  assert.equal(s.hasPosition(0, 6), false, "segment 0 has parts 0..5; 0.6 means segment 1 part 0");
  assert.equal(s.hasPosition(1, 0), false);
  assert.equal(s.isTooFarAhead(3), false);
  assert.equal(s.isTooFarAhead(4), true);
  const waiting = s.wait(() => s.hasPosition(1, 0));
  s.push(video(61, 5));
  assert.equal(s.hasPosition(1, 0), false);
  s.push(video(66, 10)); // frame 70 closes part 1.0
  assert.equal(await waiting, true);
  assert.equal(s.hasPosition(0, 6), true);

  const ac = new AbortController();
  const aborted = s.wait(() => s.hasPosition(5, 0), ac.signal);
  ac.abort();
  assert.equal(await aborted, false);

  const never = s.wait(() => s.part(99) !== undefined);
  s.end();
  assert.equal(await never, false);
  const p = parseMediaPlaylist(s.playlist({ lowLatency: true }));
  assert.equal(p.endList, true);
  assert.equal(p.lowLatency?.preloadHint, undefined);
  assert.deepEqual(p.lowLatency?.pendingParts, []);
  assert.deepEqual(p.segments.map((x) => Math.round(x.duration * 1000)), [2000, 533]);
});

Deno.test("HlsSegmenter: a long GOP raises the target duration", () => {
  const s = segmenter({ targetMs: 1000 });
  s.push(video(0, 91, 90));
  assert.equal(s.targetDuration, 3);
  assert.match(s.playlist(), /#EXT-X-TARGETDURATION:3\n/);
});

/** Demuxes a TS file into its tracks and frames. */
async function tsFrames(path: string): Promise<{ tracks: Track[]; frames: Frame[] }> {
  const tracks: Track[] = [], frames: Frame[] = [];
  const d = new TsDemuxer({ onTrack: (t) => tracks.push(t), onFrame: (f) => frames.push(f) });
  d.push(await Deno.readFile(new URL(path, import.meta.url)));
  d.flush();
  return { tracks, frames };
}

Deno.test("HlsSegmenter + TsSegmentWriter: every segment starts with PAT/PMT and a keyframe, no frame lost", async () => {
  const { tracks, frames } = await tsFrames("../segment/testdata/h264_aac_3s.mpegts");
  const video = tracks.find((t) => t.kind === "video")!, audio = tracks.find((t) => t.kind === "audio")!;
  const s = new HlsSegmenter({
    writer: new TsSegmentWriter({ video: video as H264Track, audio: audio as never }),
    primary: "video",
    targetMs: 1000,
    windowSize: 5,
    cacheSize: 0,
    uriPrefix: "",
  });
  s.push(frames);
  s.end();
  const p = parseMediaPlaylist(s.playlist());
  assert.equal(p.version, 3);
  assert.deepEqual(p.segments.map((x) => x.uri), ["0.ts", "1.ts", "2.ts"]);
  assert.ok(Math.abs(p.duration - 3) < 0.1, `total ${p.duration}`);
  let total = 0;
  for (const seg of p.segments) {
    const bytes = s.segment(Number(seg.uri.split(".")[0]))!;
    assert.equal(bytes.length % 188, 0);
    assert.equal(bytes[0], 0x47);
    assert.equal((bytes[1] & 0x1f) << 8 | bytes[2], 0, "the segment opens with a PAT");
    const got: Frame[] = [];
    const d = new TsDemuxer({ onTrack: () => {}, onFrame: (f) => got.push(f) });
    d.push(bytes);
    d.flush();
    const firstVideo = got.find((f) => f.track.kind === "video")!;
    assert.equal(firstVideo.key, true);
    total += got.length;
  }
  assert.equal(total, frames.length);
});

Deno.test("HlsSegmenter + Fmp4SegmentWriter: HEVC + AAC init, parts are moof+mdat, a segment is its parts", async () => {
  const { tracks, frames } = await tsFrames("../segment/testdata/h265_aac_3s.mpegts");
  const s = new HlsSegmenter({
    writer: new Fmp4SegmentWriter({
      video: tracks.find((t) => t.kind === "video") as H265Track,
      audio: tracks.find((t) => t.kind === "audio") as AacTrack,
    }),
    primary: "video",
    targetMs: 1000,
    partTargetMs: 334,
    windowSize: 5,
    cacheSize: 0,
    uriPrefix: "",
  });
  s.push(frames);
  s.end();
  const init = parseBoxes(s.init!);
  assert.deepEqual(init.map((b) => b.type), ["ftyp", "moov"]);
  assert.ok(findBox(s.init!, ["moov", "trak", "mdia", "minf", "stbl", "stsd", "hvc1"]));
  const p = parseMediaPlaylist(s.playlist({ lowLatency: true }));
  assert.equal(p.map, "init-0.mp4");
  assert.equal(p.segments.length, 3);
  for (const seg of p.segments) {
    const bytes = s.segment(Number(seg.uri.split(".")[0]))!;
    const parts = seg.parts!.map((x) => s.part(Number(x.uri.slice(1, -4)))!);
    assert.deepEqual(concat(parts), bytes);
    for (const part of parts) assert.deepEqual(parseBoxes(part).map((b) => b.type), ["moof", "mdat"]);
  }
});

Deno.test("HlsSegmenter: a continuing segmenter starts with a discontinuity, counted when it leaves the window", () => {
  const a = segmenter({ firstMsn: 10 });
  a.push(video(0, 61));
  a.end();
  const b = segmenter({
    firstMsn: a.nextMsn,
    continues: { discontinuitySequence: a.nextDiscontinuitySequence },
  });
  assert.equal(a.nextMsn, 13);
  b.push(video(0, 31));
  let p = parseMediaPlaylist(b.playlist());
  assert.equal(p.mediaSequence, 13);
  assert.equal(p.segments[0].discontinuity, true);
  assert.equal(p.discontinuitySequence, undefined);
  b.push(video(31, 90)); // three more: the discontinuity leaves the window of 3
  p = parseMediaPlaylist(b.playlist());
  assert.equal(p.mediaSequence, 14);
  assert.equal(p.discontinuitySequence, 1);
  assert.ok(p.segments.every((s) => !s.discontinuity));
});

Deno.test("HlsSegmenter: the version changes exactly when the playlist does (a part, a segment, the end)", () => {
  const s = segmenter({ partTargetMs: 334 });
  const seen = new Map<number, string>();
  const check = () => {
    const text = s.playlist({ lowLatency: true });
    const before = seen.get(s.version);
    if (before !== undefined) assert.equal(text, before, `version ${s.version} rendered twice the same`);
    seen.set(s.version, text);
  };
  for (let i = 0; i < 100; i++) {
    const v = s.version;
    s.push(video(i, 1));
    check();
    if (s.version === v) continue;
    assert.ok(s.version > v);
  }
  assert.ok(seen.size > 5, "parts and segments made new versions");
  const v = s.version;
  s.end();
  assert.ok(s.version > v, "the end changes the playlist (ENDLIST)");
  assert.match(s.playlist(), /#EXT-X-ENDLIST/);
});
