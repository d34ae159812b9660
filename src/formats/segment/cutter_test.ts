import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import type { AacTrack, H264Track } from "../../core/track.ts";
import { Cut, SegmentCutter } from "./cutter.ts";

const V = { kind: "video", codec: "h264", clockRate: 90000 } as H264Track;
const A = { kind: "audio", codec: "aac", clockRate: 44100, sampleRate: 44100 } as AacTrack;
const EMPTY = new Uint8Array(0);

/** Video at `fps` with a keyframe every `gop` frames, starting at frame `from`, interleaved with AAC. */
function av(opts: { frames: number; fps: number; gop: number; from?: number; audio?: boolean }): Frame[] {
  const out: Frame[] = [];
  let a = 0;
  for (let i = opts.from ?? 0; i < (opts.from ?? 0) + opts.frames; i++) {
    const dts = Math.round(i * 90000 / opts.fps);
    out.push({ track: V, dts, pts: dts, key: i % opts.gop === 0, data: EMPTY });
    while (opts.audio && a * 1024 * 90000 / 44100 <= dts) {
      out.push({ track: A, dts: a * 1024, pts: a * 1024, key: true, data: EMPTY });
      a++;
    }
  }
  return out;
}

interface Run {
  segments: number[];
  /** Whether each new segment follows a timestamp jump. */
  disc: boolean[];
  parts: { d: number; independent: boolean }[];
  dropped: number;
}

function cut(c: SegmentCutter, frames: Frame[]): Run {
  const r: Run = { segments: [], disc: [], parts: [], dropped: 0 };
  for (const f of frames) {
    const k = c.push(f);
    if (k === Cut.Drop) r.dropped++;
    if (k === Cut.Segment) {
      r.segments.push(Math.round(c.segmentDuration * 1000));
      r.disc.push(c.discontinuity);
    }
    if (k === Cut.Part || k === Cut.Segment) {
      r.parts.push({ d: Math.round(c.partDuration * 1000), independent: c.independent });
    }
  }
  return r;
}

const CASES: {
  name: string;
  opts: ConstructorParameters<typeof SegmentCutter>[0];
  frames: Frame[];
  want: Partial<Run>;
}[] = [
  {
    name: "2 s segments on a 1 s GOP",
    opts: { targetMs: 2000, primary: "video" },
    frames: av({ frames: 181, fps: 30, gop: 30, audio: true }),
    want: { segments: [2000, 2000, 2000], dropped: 0 },
  },
  {
    name: "a 5 s target on a 2 s GOP cuts at 6 s",
    opts: { targetMs: 5000, primary: "video" },
    frames: av({ frames: 361, fps: 30, gop: 60 }),
    want: { segments: [6000, 6000] },
  },
  {
    name: "frames before the first keyframe are dropped, audio included",
    opts: { targetMs: 1000, primary: "video" },
    frames: av({ frames: 41, fps: 30, gop: 30, from: 20, audio: true }),
    want: { segments: [1000] },
  },
  {
    name: "audio only: cuts on any frame",
    opts: { targetMs: 1000, primary: "audio" },
    frames: Array.from(
      { length: 100 },
      (_, i) => ({ track: A, dts: i * 1024, pts: i * 1024, key: true, data: EMPTY }),
    ),
    want: { segments: [998, 998] },
  },
];

for (const c of CASES) {
  Deno.test(`SegmentCutter: ${c.name}`, () => {
    const r = cut(new SegmentCutter(c.opts), c.frames);
    if (c.want.segments) assert.deepEqual(r.segments, c.want.segments);
    if (c.want.dropped !== undefined) assert.equal(r.dropped, c.want.dropped);
  });
}

Deno.test("SegmentCutter: dropped frames before the first keyframe are counted", () => {
  const frames = av({ frames: 40, fps: 30, gop: 30, from: 20 });
  const r = cut(new SegmentCutter({ targetMs: 1000, primary: "video" }), frames);
  assert.equal(r.dropped, 10);
});

Deno.test("SegmentCutter: LL parts never exceed the target and keyframes start independent parts", () => {
  const c = new SegmentCutter({ targetMs: 2000, partTargetMs: 333, primary: "video" });
  const r = cut(c, av({ frames: 121, fps: 30, gop: 45, audio: true }));
  assert.ok(r.parts.length >= 10);
  for (const p of r.parts) assert.ok(p.d <= 334, `part of ${p.d} ms`);
  // Keyframes at 0, 1.5, 3 s: 3 s ends the first segment; 1.5 s must start an independent part.
  assert.deepEqual(r.segments, [3000]);
  assert.equal(r.parts.filter((p) => p.independent).length, 2);
  // Parts of a segment add up to the segment.
  const firstSeg = r.parts.slice(0, r.parts.findIndex((p, i) => i > 0 && p.independent && i > 5) + 1);
  assert.ok(Math.abs(firstSeg.reduce((s, p) => s + p.d, 0) - 3000) <= 5);
});

Deno.test("SegmentCutter: a timestamp jump does not inflate durations and marks a discontinuity", () => {
  const frames = [
    ...av({ frames: 30, fps: 30, gop: 30 }),
    ...av({ frames: 31, fps: 30, gop: 30, from: 3000 }).map((f) => ({ ...f, key: f.dts % 90000 === 0 })),
  ];
  const c = new SegmentCutter({ targetMs: 1000, primary: "video" });
  const r = cut(c, frames);
  assert.deepEqual(r.segments, [1000, 1000]);
  assert.deepEqual(r.disc, [true, false]);
  assert.equal(c.flush().segmentDuration, 1 / 30);
});

Deno.test("SegmentCutter: flush gives the open segment one interval past the last frame", () => {
  const c = new SegmentCutter({ targetMs: 10_000, primary: "video" });
  cut(c, av({ frames: 45, fps: 30, gop: 30 }));
  assert.equal(Math.round(c.flush().segmentDuration * 1000), 1500);
});
