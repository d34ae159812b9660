import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import type { Frame } from "../../core/frame.ts";
import type { AacTrack, H264Track, Track } from "../../core/track.ts";
import { TsDemuxer } from "../mpegts/mod.ts";
import { parseBoxes } from "../fmp4/mod.ts";
import { DashSegmenter } from "./segmenter.ts";

async function fixture(): Promise<{ video: H264Track; audio: AacTrack; frames: Frame[] }> {
  const tracks: Track[] = [], frames: Frame[] = [];
  const d = new TsDemuxer({ onTrack: (t) => tracks.push(t), onFrame: (f) => frames.push(f) });
  d.push(await Deno.readFile(new URL("../segment/testdata/h264_aac_3s.mpegts", import.meta.url)));
  d.flush();
  return {
    video: tracks.find((t) => t.kind === "video") as H264Track,
    audio: tracks.find((t) => t.kind === "audio") as AacTrack,
    frames,
  };
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => n === "S" });

Deno.test("DashSegmenter: separate audio/video sets, contiguous timelines, segments by number", async () => {
  const { video, audio, frames } = await fixture();
  const t0 = 1_700_000_000_000;
  const s = new DashSegmenter({
    tracks: { video, audio },
    targetMs: 1000,
    windowS: 30,
    maxSegments: 10,
    uriPrefix: "cam/dash/",
    firstNumber: 100,
    now: () => t0,
  });
  s.push(frames);
  assert.equal(s.segmentCount, 2, "the third second is still open");
  const mpd = xml.parse(s.mpd()).MPD;
  assert.equal(mpd.type, "dynamic");
  assert.equal(mpd.UTCTiming.value, new Date(t0).toISOString());
  const [v, a] = mpd.Period.AdaptationSet;
  assert.equal(v.contentType, "video");
  assert.equal(v.Representation.codecs, "avc1.64000c");
  assert.equal(v.Representation.width, "320");
  assert.equal(v.SegmentTemplate.startNumber, "100");
  assert.equal(v.SegmentTemplate.media, "cam/dash/v$Number$.m4s");
  assert.equal(a.contentType, "audio");
  assert.equal(a.SegmentTemplate.timescale, "44100");
  // Video: two 1 s segments in one run; audio: contiguous (t only on the first entry).
  assert.deepEqual(v.SegmentTemplate.SegmentTimeline.S.map((x: Record<string, string>) => [x.d, x.r]), [[
    "90000",
    "1",
  ]]);
  const as = a.SegmentTemplate.SegmentTimeline.S as Record<string, string>[];
  assert.ok(as[0].t !== undefined && as.slice(1).every((x) => x.t === undefined), JSON.stringify(as));
  for (const kind of ["video", "audio"]) {
    assert.deepEqual(parseBoxes(s.init(kind)!).map((b) => b.type), ["ftyp", "moov"]);
    assert.deepEqual(parseBoxes(s.segment(kind, 100)!).map((b) => b.type), ["moof", "mdat"]);
    assert.ok(s.segment(kind, 101));
    assert.equal(s.segment(kind, 102), undefined);
    // 102 is being cut, 103 comes after it: worth a wait; the rest are not.
    assert.deepEqual([100, 101, 102, 103, 104].map((n) => s.isUpcoming(kind, n)), [
      false,
      false,
      true,
      true,
      false,
    ]);
  }
  assert.equal(s.isUpcoming("text", 102), false);
  s.end();
  assert.equal(s.isUpcoming("video", 102), false, "nothing is upcoming once ended");
  const done = xml.parse(s.mpd()).MPD;
  assert.equal(done.type, "static");
  assert.ok(done.mediaPresentationDuration.startsWith("PT3"), done.mediaPresentationDuration);
  assert.ok(done.Period.AdaptationSet[0].SegmentTemplate.presentationTimeOffset > 0);
});

Deno.test("DashSegmenter: the window keeps at most maxSegments, within timeShiftBufferDepth", async () => {
  const { video, frames } = await fixture();
  const s = new DashSegmenter({
    tracks: { video },
    targetMs: 500,
    windowS: 2,
    maxSegments: 10,
    uriPrefix: "",
  });
  s.push(frames.filter((f) => f.track.kind === "video"));
  s.end();
  const mpd = xml.parse(s.mpd()).MPD;
  const set = mpd.Period.AdaptationSet;
  assert.equal(set.contentType, "video", "audio-less stream: one adaptation set");
  const S = set.SegmentTemplate.SegmentTimeline.S as Record<string, string>[];
  const n = S.reduce((a, x) => a + 1 + Number(x.r ?? 0), 0);
  assert.equal(n, 2, "2 s of depth holds two 1 s segments");
  assert.equal(set.SegmentTemplate.startNumber, "1");
});
