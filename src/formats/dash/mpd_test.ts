import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { isoDuration, type Mpd, timelineElements, type TimelineSegment, writeMpd } from "./mpd.ts";

const TIMELINES: { name: string; segs: TimelineSegment[]; want: string[] }[] = [
  { name: "empty", segs: [], want: [] },
  { name: "one", segs: [{ t: 90000, d: 180000 }], want: ['<S t="90000" d="180000"/>'] },
  {
    name: "a run of equal durations",
    segs: [{ t: 0, d: 2 }, { t: 2, d: 2 }, { t: 4, d: 2 }, { t: 6, d: 3 }],
    want: ['<S t="0" d="2" r="2"/>', '<S d="3"/>'],
  },
  {
    name: "a gap restates t",
    segs: [{ t: 0, d: 2 }, { t: 5, d: 2 }],
    want: ['<S t="0" d="2"/>', '<S t="5" d="2"/>'],
  },
];

for (const c of TIMELINES) {
  Deno.test(`timelineElements: ${c.name}`, () => {
    assert.deepEqual(timelineElements(c.segs), c.want);
  });
}

Deno.test("isoDuration", () => {
  for (const [s, want] of [[2, "PT2S"], [0.5, "PT0.5S"], [10.0004, "PT10S"], [3.25, "PT3.25S"]] as const) {
    assert.equal(isoDuration(s), want);
  }
});

const LIVE: Mpd = {
  type: "dynamic",
  availabilityStartTime: Date.UTC(2024, 4, 21, 18, 22, 11),
  publishTime: Date.UTC(2024, 4, 21, 18, 23, 0),
  minimumUpdatePeriod: 2,
  timeShiftBufferDepth: 20,
  suggestedPresentationDelay: 4,
  minBufferTime: 2,
  maxSegmentDuration: 2,
  utcTiming: Date.UTC(2024, 4, 21, 18, 23, 0, 5),
  adaptationSets: [
    {
      id: 0,
      contentType: "video",
      codecs: "avc1.64001f",
      bandwidth: 1_000_000,
      timescale: 90000,
      initialization: "cam/dash/init-video.mp4",
      media: "cam/dash/video-$Number$.m4s",
      startNumber: 5,
      timeline: [{ t: 900000, d: 180000 }, { t: 1080000, d: 180000 }],
      width: 640,
      height: 360,
      frameRate: 30,
    },
    {
      id: 1,
      contentType: "audio",
      codecs: "mp4a.40.2",
      bandwidth: 128_000,
      timescale: 44100,
      initialization: "cam/dash/init-audio.mp4",
      media: "cam/dash/audio-$Number$.m4s",
      startNumber: 5,
      timeline: [{ t: 441000, d: 88200 }, { t: 529200, d: 88200 }],
      sampleRate: 44100,
      channels: 2,
    },
  ],
};

function parse(xml: string) {
  assert.equal(XMLValidator.validate(xml), true);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml).MPD;
}

Deno.test("writeMpd: dynamic MPD with separate audio and video adaptation sets", () => {
  const mpd = parse(writeMpd(LIVE));
  assert.equal(mpd.type, "dynamic");
  assert.equal(mpd.profiles, "urn:mpeg:dash:profile:isoff-live:2011");
  assert.equal(mpd.availabilityStartTime, "2024-05-21T18:22:11.000Z");
  assert.equal(mpd.minimumUpdatePeriod, "PT2S");
  assert.equal(mpd.timeShiftBufferDepth, "PT20S");
  assert.equal(mpd.UTCTiming.schemeIdUri, "urn:mpeg:dash:utc:direct:2014");
  const [v, a] = mpd.Period.AdaptationSet;
  assert.equal(v.contentType, "video");
  assert.equal(v.SegmentTemplate.media, "cam/dash/video-$Number$.m4s");
  assert.equal(v.SegmentTemplate.startNumber, "5");
  assert.deepEqual(v.SegmentTemplate.SegmentTimeline.S, { t: "900000", d: "180000", r: "1" });
  assert.equal(v.Representation.width, "640");
  assert.equal(v.Representation.codecs, "avc1.64001f");
  assert.equal(a.contentType, "audio");
  assert.equal(a.Representation.audioSamplingRate, "44100");
  assert.equal(a.Representation.AudioChannelConfiguration.value, "2");
});

Deno.test("writeMpd: static MPD has a duration and no live attributes", () => {
  const mpd = parse(writeMpd({
    type: "static",
    minBufferTime: 2,
    mediaPresentationDuration: 61.5,
    baseUrl: "/rec/cam/2024-05-21/",
    adaptationSets: [LIVE.adaptationSets[0]],
  }));
  assert.equal(mpd.type, "static");
  assert.equal(mpd.mediaPresentationDuration, "PT61.5S");
  assert.equal(mpd.availabilityStartTime, undefined);
  assert.equal(mpd.minimumUpdatePeriod, undefined);
  assert.equal(mpd.BaseURL, "/rec/cam/2024-05-21/");
});

Deno.test("writeMpd: URLs are escaped", () => {
  const xml = writeMpd({
    type: "static",
    minBufferTime: 1,
    adaptationSets: [{ ...LIVE.adaptationSets[1], media: 'a&b"<$Number$>.m4s' }],
  });
  assert.ok(xml.includes('media="a&#38;b&#34;&#60;$Number$&#62;.m4s"'));
  assert.equal(XMLValidator.validate(xml), true);
});
