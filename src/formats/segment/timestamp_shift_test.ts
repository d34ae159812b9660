import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import type { AacTrack, H264Track } from "../../core/track.ts";
import { shiftedFrames, TimestampShift } from "./timestamp_shift.ts";

const V = { kind: "video", codec: "h264", clockRate: 90000 } as H264Track;
const A = { kind: "audio", codec: "aac", clockRate: 44100, sampleRate: 44100 } as AacTrack;
const EMPTY = new Uint8Array(0);
const f = (track: H264Track | AacTrack, dts: number, pts = dts): Frame => ({
  track,
  dts,
  pts,
  key: true,
  data: EMPTY,
});

const CASES: { name: string; first: Frame[]; video: number; audio: number }[] = [
  { name: "non-negative timestamps are kept", first: [f(V, 0), f(A, 0)], video: 0, audio: 0 },
  {
    name: "a negative video dts shifts both clocks by whole seconds",
    first: [f(V, -6000), f(A, 0)],
    video: 180000,
    audio: 88200,
  },
  {
    name: "a negative audio dts decides too",
    first: [f(V, 0), f(A, -100_000)],
    video: 4 * 90000,
    audio: 4 * 44100,
  },
];

for (const c of CASES) {
  Deno.test(`TimestampShift: ${c.name}`, () => {
    const s = new TimestampShift();
    assert.equal(s.offsetS, undefined);
    assert.equal(s.ticks(c.first, V.clockRate), c.video);
    assert.equal(s.ticks(c.first, A.clockRate), c.audio);
    // Fixed by the first frames: later ones never move it.
    assert.equal(s.ticks([f(V, -10 * 90000)], V.clockRate), c.video);
  });
}

Deno.test("shiftedFrames: one kind, shifted copies, originals untouched; no shift returns the originals", () => {
  const frames = [f(V, 0, 3000), f(A, 0), f(V, 3000, 6000)];
  const v = shiftedFrames(frames, "video", 90000);
  assert.deepEqual(v.map((x) => [x.dts, x.pts]), [[90000, 93000], [93000, 96000]]);
  assert.equal(frames[0].dts, 0);
  const a = shiftedFrames(frames, "audio", 0);
  assert.equal(a.length, 1);
  assert.equal(a[0], frames[1]);
  assert.deepEqual(shiftedFrames([f(V, -5)], "video", 1).map((x) => x.dts), [0], "never below zero");
});
