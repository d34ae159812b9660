import assert from "node:assert/strict";
import type { AudioTrack, Track, VideoTrack } from "../../core/track.ts";
import type { Frame } from "../../core/frame.ts";
import { ProtocolError } from "../../core/errors.ts";
import {
  aacTrack,
  av1Track,
  buildOpusHead,
  buildVpcc,
  g711Track,
  joinAvcc,
  mp3Track,
  opusTrack,
  vp8Track,
  vp9Track,
} from "../../codecs/mod.ts";
import { FlvDemuxer } from "./demux.ts";
import {
  audioFrameBody,
  audioSequenceBody,
  type FlvVideoForm,
  needsEnhanced,
  videoEndBody,
  videoFrameBody,
  videoSequenceBody,
} from "./mux.ts";
import { metadataObject } from "./metadata.ts";
import { codecData, h264, h265 } from "./_test_util.ts";

const av1 = av1Track(codecData("av1_320x240.av1c"));
const vp9Key = Uint8Array.of(0x82, 0x49, 0x83, 0x42, 0x00, 0x13, 0xf0, 0x0e, 0xf6, 0x00, 0x00);
const vp9 = vp9Track(320, 240, buildVpcc({ profile: 0, level: 21 }));
const vp8Key = Uint8Array.of(0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0x11);
const vp8 = vp8Track(320, 240);

const nalData = joinAvcc([Uint8Array.of(0x65, 0x88, 0x84, 0x00)]);
const h265Data = joinAvcc([Uint8Array.of(0x26, 0x01, 0xaf, 0x00)]);

interface VideoCase {
  name: string;
  track: VideoTrack;
  form: FlvVideoForm;
  hevcCodecId?: number;
  data: Uint8Array;
  /** dts/pts in 90 kHz (whole ms so FLV carries them exactly). */
  dts: number;
  pts: number;
  key: boolean;
  /** Expected leading bytes of the sequence and frame bodies. */
  seqHead: number[];
  frameHead: number[];
}

const video: VideoCase[] = [
  {
    name: "H.264 legacy",
    track: h264,
    form: "legacy",
    data: nalData,
    dts: 90 * 40,
    pts: 90 * 120,
    key: true,
    seqHead: [0x17, 0, 0, 0, 0, 1, 100],
    frameHead: [0x17, 1, 0, 0, 80],
  },
  {
    name: "H.264 legacy negative CTS",
    track: h264,
    form: "legacy",
    data: nalData,
    dts: 90 * 100,
    pts: 90 * 67,
    key: false,
    seqHead: [0x17, 0],
    frameHead: [0x27, 1, 0xff, 0xff, 0xdf],
  },
  {
    name: "H.264 enhanced CodedFrames",
    track: h264,
    form: "enhanced",
    data: nalData,
    dts: 0,
    pts: 90 * 33,
    key: true,
    seqHead: [0x90, 0x61, 0x76, 0x63, 0x31],
    frameHead: [0x91, 0x61, 0x76, 0x63, 0x31, 0, 0, 33],
  },
  {
    name: "H.264 enhanced CodedFramesX",
    track: h264,
    form: "enhanced",
    data: nalData,
    dts: 90 * 33,
    pts: 90 * 33,
    key: false,
    seqHead: [0x90],
    frameHead: [0xa3, 0x61, 0x76, 0x63, 0x31, 0, 0, 0, 4, 0x65],
  },
  {
    name: "H.265 legacy id 12",
    track: h265,
    form: "legacy",
    data: h265Data,
    dts: 90 * 1000,
    pts: 90 * 1040,
    key: true,
    seqHead: [0x1c, 0, 0, 0, 0, 1],
    frameHead: [0x1c, 1, 0, 0, 40],
  },
  {
    name: "H.265 legacy id 13",
    track: h265,
    form: "legacy",
    hevcCodecId: 13,
    data: h265Data,
    dts: 0,
    pts: 0,
    key: true,
    seqHead: [0x1d, 0],
    frameHead: [0x1d, 1, 0, 0, 0],
  },
  {
    name: "H.265 enhanced",
    track: h265,
    form: "enhanced",
    data: h265Data,
    dts: 90 * 5,
    pts: 90 * 25,
    key: false,
    seqHead: [0x90, 0x68, 0x76, 0x63, 0x31],
    frameHead: [0xa1, 0x68, 0x76, 0x63, 0x31, 0, 0, 20],
  },
  {
    name: "AV1 (always enhanced)",
    track: av1,
    form: "legacy",
    data: codecData("av1_320x240.obu"),
    dts: 90 * 66,
    pts: 90 * 66,
    key: true,
    seqHead: [0x90, 0x61, 0x76, 0x30, 0x31, 0x81],
    frameHead: [0x91, 0x61, 0x76, 0x30, 0x31, 0x12],
  },
  {
    name: "VP9",
    track: vp9,
    form: "enhanced",
    data: vp9Key,
    dts: 90 * 7,
    pts: 90 * 7,
    key: true,
    seqHead: [0x90, 0x76, 0x70, 0x30, 0x39, 1, 0, 0, 0, 0, 21],
    frameHead: [0x91, 0x76, 0x70, 0x30, 0x39, 0x82],
  },
  {
    name: "VP8",
    track: vp8,
    form: "enhanced",
    data: vp8Key,
    dts: 0,
    pts: 0,
    key: true,
    seqHead: [0x90, 0x76, 0x70, 0x30, 0x38],
    frameHead: [0x91, 0x76, 0x70, 0x30, 0x38, 0x50],
  },
];

function startsWith(bytes: Uint8Array, head: number[], what: string) {
  assert.deepEqual([...bytes.subarray(0, head.length)], head, what);
}

function sameTrack(got: Track | undefined, want: Track, what: string) {
  assert.ok(got, `${what}: no track`);
  // Compare the decoder-relevant fields; demuxed tracks hold views of the tag bytes.
  assert.deepEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(want)), what);
}

Deno.test("video case table: mux → expected bytes → demux gives the same track and frame", () => {
  for (const c of video) {
    const opts = { hevcCodecId: c.hevcCodecId };
    const seq = videoSequenceBody(c.track, c.form, opts);
    startsWith(seq, c.seqHead, `${c.name} sequence`);
    const frame: Frame = { track: c.track, dts: c.dts, pts: c.pts, key: c.key, data: c.data };
    const body = videoFrameBody(frame, c.form, opts);
    startsWith(body, c.frameHead, `${c.name} frame`);

    const d = new FlvDemuxer(opts);
    assert.equal(d.video(seq, 0), null, c.name);
    // VP8/VP9 learn their size from the first key frame.
    if (c.track.codec !== "vp8" && c.track.codec !== "vp9") sameTrack(d.videoTrack, c.track, c.name);
    const got = d.video(body, c.dts / 90);
    assert.ok(got, c.name);
    assert.equal(got.track, d.videoTrack);
    sameTrack(got.track, c.track, c.name);
    assert.deepEqual([got.dts, got.pts, got.key, [...got.data]], [c.dts, c.pts, c.key, [...c.data]], c.name);
    // A resent identical sequence header keeps the Track; the end of sequence is not a frame.
    const before = d.videoTrack;
    d.video(videoSequenceBody(c.track, c.form, opts), 0);
    assert.equal(d.videoTrack, before, `${c.name}: same config, same Track`);
    assert.equal(d.video(videoEndBody(c.track, c.form, opts), 0), null);
  }
});

interface AudioCase {
  name: string;
  track: AudioTrack;
  data: Uint8Array;
  ms: number;
  dts: number;
  seqHead: number[] | null;
  frameHead: number[];
}

const audio: AudioCase[] = [
  {
    name: "AAC 44100 stereo",
    track: aacTrack(Uint8Array.of(0x12, 0x10)),
    data: Uint8Array.of(0x21, 0x10),
    ms: 1000,
    dts: 44100,
    seqHead: [0xaf, 0, 0x12, 0x10],
    frameHead: [0xaf, 1, 0x21],
  },
  {
    name: "AAC 48000 mono",
    track: aacTrack(Uint8Array.of(0x11, 0x88)),
    data: Uint8Array.of(1),
    ms: 21,
    dts: 1008,
    seqHead: [0xaf, 0, 0x11, 0x88],
    frameHead: [0xaf, 1],
  },
  {
    name: "Opus stereo",
    track: opusTrack(2, buildOpusHead({ channels: 2 })),
    data: Uint8Array.of(0xfc, 0xff, 0xfe),
    ms: 20,
    dts: 960,
    seqHead: [0x90, 0x4f, 0x70, 0x75, 0x73, 0x4f],
    frameHead: [0x91, 0x4f, 0x70, 0x75, 0x73, 0xfc],
  },
  {
    name: "PCMA mono",
    track: g711Track("pcma"),
    data: new Uint8Array(160),
    ms: 20,
    dts: 160,
    seqHead: null,
    frameHead: [0x72, 0],
  },
  {
    name: "PCMU stereo",
    track: g711Track("pcmu", 8000, 2),
    data: new Uint8Array(320),
    ms: 40,
    dts: 320,
    seqHead: null,
    frameHead: [0x83],
  },
  {
    name: "MP3 44100 mono",
    track: mp3Track({ sampleRate: 44100, channels: 1 }),
    data: codecData("mp3_44100_stereo.mp3").slice(0, 4).map((b, i) => i === 3 ? b | 0xc0 : b),
    ms: 26,
    dts: 1147,
    seqHead: null,
    frameHead: [0x2e, 0xff],
  },
];

Deno.test("audio case table: mux → expected bytes → demux gives the same track and frame", () => {
  for (const c of audio) {
    const seq = audioSequenceBody(c.track);
    const d = new FlvDemuxer();
    if (c.seqHead === null) assert.equal(seq, null, c.name);
    else {
      startsWith(seq!, c.seqHead, `${c.name} sequence`);
      assert.equal(d.audio(seq!, 0), null);
      sameTrack(d.audioTrack, c.track, c.name);
    }
    const body = audioFrameBody({ track: c.track, dts: c.dts, pts: c.dts, key: true, data: c.data });
    startsWith(body, c.frameHead, `${c.name} frame`);
    const got = d.audio(body, c.ms);
    assert.ok(got, c.name);
    sameTrack(got.track, c.track, c.name);
    assert.deepEqual(
      [got.dts, got.pts, got.key, got.data.length],
      [c.dts, c.dts, true, c.data.length],
      c.name,
    );
  }
});

Deno.test("legacy Opus (SoundFormat 13) and in-band AV1 / VP9 without sequence start", () => {
  const d = new FlvDemuxer();
  const head = audioSequenceBody(opusTrack(1))!.subarray(5);
  d.audio(Uint8Array.of(0xdf, 0, ...head), 0);
  assert.equal(d.audioTrack?.codec, "opus");
  assert.equal(d.audioTrack?.channels, 1);
  const f = d.audio(Uint8Array.of(0xdf, 1, 0xf8, 0xff), 40);
  assert.deepEqual([f?.dts, f?.data.length], [1920, 2]);

  const v = new FlvDemuxer();
  const av1Frame = videoFrameBody({
    track: av1,
    dts: 0,
    pts: 0,
    key: true,
    data: codecData("av1_320x240.obu"),
  }, "enhanced");
  const got = v.video(av1Frame, 0);
  assert.equal(got?.track.codec, "av1");
  assert.deepEqual([(got?.track as VideoTrack).width, (got?.track as VideoTrack).height], [320, 240]);
  const vp = new FlvDemuxer();
  const vpFrame = vp.video(
    videoFrameBody({ track: vp9, dts: 0, pts: 0, key: true, data: vp9Key }, "enhanced"),
    0,
  );
  assert.deepEqual([vpFrame?.track.codec, (vpFrame?.track as VideoTrack).width], ["vp9", 320]);
});

Deno.test("frames before their sequence header are dropped; a new config gives a new Track", () => {
  const d = new FlvDemuxer();
  const frame: Frame = { track: h264, dts: 0, pts: 0, key: true, data: nalData };
  assert.equal(d.video(videoFrameBody(frame, "legacy"), 0), null);
  assert.equal(d.audio(Uint8Array.of(0xaf, 1, 0x21), 0), null);
  d.video(videoSequenceBody(h264, "legacy"), 0);
  const first = d.videoTrack;
  d.video(videoSequenceBody(h265, "legacy"), 0);
  assert.notEqual(d.videoTrack, first);
  assert.equal(d.videoTrack?.codec, "h265");
});

Deno.test("multitrack enhanced video: track 0 is used", () => {
  const seq = videoSequenceBody(h264, "enhanced");
  // ManyTracks (1) of SequenceStart, FourCC avc1; track 1 first, then track 0.
  const cfg = seq.subarray(5);
  const track = (id: number) => [id, cfg.length >> 16, (cfg.length >> 8) & 0xff, cfg.length & 0xff, ...cfg];
  const body = Uint8Array.of(0x96, 0x10, 0x61, 0x76, 0x63, 0x31, ...track(1), ...track(0));
  const d = new FlvDemuxer();
  assert.equal(d.video(body, 0), null);
  assert.equal(d.videoTrack?.width, 640);
});

Deno.test("malformed bodies throw ProtocolError naming the value and the rule", () => {
  const d = new FlvDemuxer();
  const cases: [() => unknown, RegExp][] = [
    [() => d.video(new Uint8Array(0), 0), /FLV video tag of 0 bytes is invalid/],
    [() => d.video(Uint8Array.of(0x17, 0), 0), /at least 5 bytes/],
    [() => d.video(Uint8Array.of(0x12, 0, 0, 0, 0), 0), /codec id 2 is unsupported/],
    [() => d.video(Uint8Array.of(0x17, 7, 0, 0, 0), 0), /AVCPacketType 7 is invalid/],
    [() => d.video(Uint8Array.of(0x90, 0x61, 0x62, 0x63, 0x64), 0), /FourCC "abcd" is unsupported/],
    [() => d.video(Uint8Array.of(0x97, 0x61, 0x76, 0x63, 0x31), 0), /VideoPacketType 7 is invalid/],
    [() => d.video(Uint8Array.of(0x17, 0, 0, 0, 0, 1, 2), 0), /avcC/],
    [() => d.audio(new Uint8Array(0), 0), /FLV audio tag of 0 bytes/],
    [() => d.audio(Uint8Array.of(0xb2), 0), /SoundFormat 11 is unsupported/],
    [() => d.audio(Uint8Array.of(0xaf), 0), /AAC audio tag of 1 bytes/],
    [() => d.audio(Uint8Array.of(0xaf, 5), 0), /AAC packet type 5 is invalid/],
    [() => d.audio(Uint8Array.of(0x91, 0x66, 0x4c, 0x61, 0x43), 0), /FourCC "fLaC" is unsupported/],
    [() => d.audio(Uint8Array.of(0x2e, 0, 0, 0, 0), 0), /MPEG audio sync/],
  ];
  for (const [f, re] of cases) {
    assert.throws(f, (e) => e instanceof ProtocolError && re.test(e.message), String(re));
  }
});

Deno.test("needsEnhanced and metadataObject", () => {
  assert.deepEqual([h264, h265, av1, vp9, vp8, opusTrack(2), g711Track("pcma")].map(needsEnhanced), [
    false,
    false,
    true,
    true,
    true,
    true,
    false,
  ]);
  assert.deepEqual(metadataObject(h264, aacTrack(Uint8Array.of(0x12, 0x10))), {
    width: 640,
    height: 360,
    framerate: 30,
    videocodecid: 7,
    audiocodecid: 10,
    audiosamplerate: 44100,
    audiosamplesize: 16,
    audiochannels: 2,
    stereo: true,
  });
  assert.equal(metadataObject(h265).videocodecid, 12);
  assert.equal(metadataObject(h265, undefined, { form: "enhanced" }).videocodecid, 0x68766331);
  assert.equal(metadataObject(undefined, opusTrack(2)).audiocodecid, 0x4f707573);
});
