import assert from "node:assert/strict";
import type { AacTrack, AudioTrack, G711Track, H264Track, VideoTrack, Vp8Track } from "../../core/track.ts";
import { isEmpty, outputTracks, primaryKind, sameTracks } from "./output_tracks.ts";

const H264 = {
  kind: "video",
  codec: "h264",
  width: 640,
  height: 360,
  profile: 0x64,
  compat: 0,
  level: 31,
} as H264Track;
const VP8 = { kind: "video", codec: "vp8", width: 640, height: 360 } as Vp8Track;
const AAC = { kind: "audio", codec: "aac", sampleRate: 44100, channels: 2, objectType: 2 } as AacTrack;
const PCMA = { kind: "audio", codec: "pcma", sampleRate: 8000, channels: 1 } as G711Track;

const src = (videoTrack?: VideoTrack, audioTrack?: AudioTrack) => ({ videoTrack, audioTrack });

const CASES: {
  name: string;
  video?: VideoTrack;
  audio?: AudioTrack;
  carried: string[];
  left: string[];
  primary: "video" | "audio";
}[] = [
  {
    name: "H.264 + AAC: both",
    video: H264,
    audio: AAC,
    carried: ["h264", "aac"],
    left: [],
    primary: "video",
  },
  {
    name: "H.264 + G.711: video only",
    video: H264,
    audio: PCMA,
    carried: ["h264"],
    left: ["pcma"],
    primary: "video",
  },
  {
    name: "VP8 + AAC: both (fMP4)",
    video: VP8,
    audio: AAC,
    carried: ["vp8", "aac"],
    left: [],
    primary: "video",
  },
  { name: "G.711 alone: nothing", audio: PCMA, carried: [], left: ["pcma"], primary: "audio" },
  { name: "no tracks yet", carried: [], left: [], primary: "audio" },
];

for (const c of CASES) {
  Deno.test(`outputTracks: ${c.name}`, () => {
    const { tracks, left } = outputTracks(src(c.video, c.audio));
    assert.deepEqual([tracks.video?.codec, tracks.audio?.codec].filter(Boolean), c.carried);
    assert.deepEqual(left.map((l) => l.track.codec), c.left);
    for (const l of left) assert.match(l.why, new RegExp(`goes out (video|audio) only`));
    assert.equal(isEmpty(tracks), c.carried.length === 0);
    assert.equal(primaryKind(tracks), c.primary);
  });
}

Deno.test("sameTracks: a repeated header is the same init; a new size or an added track is not", () => {
  assert.equal(sameTracks({ video: H264, audio: AAC }, { video: { ...H264 }, audio: { ...AAC } }), true);
  assert.equal(sameTracks({ video: H264 }, { video: { ...H264, width: 1280, height: 720 } }), false);
  assert.equal(sameTracks({ video: H264 }, { video: H264, audio: AAC }), false);
  assert.equal(sameTracks({}, {}), true);
});
