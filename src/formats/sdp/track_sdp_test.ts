import assert from "node:assert/strict";
import type { Track } from "../../core/track.ts";
import { h264Track } from "../../codecs/h264.ts";
import { h265Track } from "../../codecs/h265.ts";
import { aacTrack, buildAsc } from "../../codecs/aac.ts";
import { opusTrack } from "../../codecs/opus.ts";
import { g711Track } from "../../codecs/g711.ts";
import { splitAnnexB } from "../../codecs/nal.ts";
import { buildSdp, parseSdp } from "./sdp.ts";
import { describeTrack, type MediaInfo, mediaInfo, toBase64 } from "./track_sdp.ts";
import { ProtocolError } from "../../core/errors.ts";

const rtpData = (name: string) => Deno.readFileSync(new URL(`../rtp/testdata/${name}`, import.meta.url));
const h264Nals = splitAnnexB(rtpData("h264_320x240_bframes.h264"));
const h265Nals = splitAnnexB(rtpData("h265_320x240.h265"));
const h264 = h264Track(h264Nals.find((n) => (n[0] & 0x1f) === 7)!, [
  h264Nals.find((n) => (n[0] & 0x1f) === 8)!,
]);
const t265 = (t: number) => h265Nals.find((n) => ((n[0] >> 1) & 0x3f) === t)!;
const h265 = h265Track(t265(32), t265(33), [t265(34)]);

const cases: { track: Track; pt: number; rtpmap: string; clock: number }[] = [
  { track: h264, pt: 96, rtpmap: "96 H264/90000", clock: 90000 },
  { track: h265, pt: 98, rtpmap: "98 H265/90000", clock: 90000 },
  {
    track: aacTrack(buildAsc({ objectType: 2, sampleRate: 48000, channels: 2 })),
    pt: 97,
    rtpmap: "97 MPEG4-GENERIC/48000/2",
    clock: 48000,
  },
  { track: opusTrack(2), pt: 111, rtpmap: "111 opus/48000/2", clock: 48000 },
  { track: opusTrack(1), pt: 111, rtpmap: "111 opus/48000/2", clock: 48000 },
  { track: g711Track("pcma"), pt: 8, rtpmap: "8 PCMA/8000/1", clock: 8000 },
  { track: g711Track("pcmu"), pt: 0, rtpmap: "0 PCMU/8000/1", clock: 8000 },
  { track: g711Track("pcmu", 16000, 2), pt: 100, rtpmap: "100 PCMU/16000/2", clock: 16000 },
];

for (const c of cases) {
  Deno.test(`track ⇄ sdp: ${c.track.codec} ${c.rtpmap}`, () => {
    const m = describeTrack(c.track, { payloadType: c.pt, control: "trackID=3", direction: "sendonly" })!;
    assert.deepEqual(m.formats, [String(c.pt)]);
    assert.ok(m.attributes.some(([k, v]) => k === "rtpmap" && v === c.rtpmap), JSON.stringify(m.attributes));
    const text = buildSdp({
      version: 0,
      origin: "- 1 1 IN IP4 0.0.0.0",
      sessionName: "t",
      timing: "0 0",
      attributes: [],
      media: [m],
    });
    const info = mediaInfo(parseSdp(text).media[0]) as MediaInfo;
    assert.ok(!("unsupported" in info), JSON.stringify(info));
    assert.equal(info.codec, c.track.codec);
    assert.equal(info.payloadType, c.pt);
    assert.equal(info.rtpClock, c.clock);
    assert.equal(info.control, "trackID=3");
    assert.deepEqual(info.track, c.track);
  });
}

Deno.test("sdp media with unknown codecs or profiles are reported, not thrown", () => {
  const text = [
    "v=0",
    "m=video 0 RTP/AVP 26",
    "m=video 0 RTP/AVP 100",
    "a=rtpmap:100 VP9/90000",
    "m=audio 0 RTP/SAVP 8",
    "m=audio 0 RTP/AVP 97",
    "a=rtpmap:97 MPEG4-GENERIC/44100/2",
    "a=fmtp:97 mode=AAC-hbr",
    "m=application 0 RTP/AVP 107",
    "",
  ].join("\r\n");
  const infos = parseSdp(text).media.map(mediaInfo);
  for (const i of infos) assert.ok("unsupported" in i, JSON.stringify(i));
  assert.match((infos[1] as { unsupported: string }).unsupported, /VP9/);
});

Deno.test("VP8 (RFC 7741): taken from an ANNOUNCE with its size from the first keyframe, and described", () => {
  const s = parseSdp("v=0\r\nm=video 0 RTP/AVP 100\r\na=rtpmap:100 VP8/90000\r\na=control:trackID=0\r\n");
  const info = mediaInfo(s.media[0]) as MediaInfo;
  assert.equal(info.codec, "vp8");
  assert.equal(info.track, undefined);
  const vp8 = { kind: "video", codec: "vp8", width: 640, height: 360 } as Track;
  const m = describeTrack(vp8, { payloadType: 96, control: "trackID=0", direction: "sendonly" })!;
  assert.deepEqual(m.attributes, [["rtpmap", "96 VP8/90000"], ["sendonly", ""], ["control", "trackID=0"]]);
  const vp9 = { kind: "video", codec: "vp9", width: 640, height: 360 } as Track;
  const m9 = describeTrack(vp9, { payloadType: 98, control: "trackID=0" })!;
  assert.deepEqual(m9.attributes, [["rtpmap", "98 VP9/90000"], ["control", "trackID=0"]]);
});

Deno.test("H.264 without sprop-parameter-sets: track comes later, in-band", () => {
  const s = parseSdp(
    "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n",
  );
  const info = mediaInfo(s.media[0]) as MediaInfo;
  assert.equal(info.codec, "h264");
  assert.equal(info.track, undefined);
});

// fmtp values from the network are checked when the SDP is read (issue 10: a negative indexlength
// froze the server in the AU header loop of the first RTP packet).
const AAC_RTPMAP = "a=rtpmap:97 MPEG4-GENERIC/44100/2";
const aacFmtp = (extra: string) => `a=fmtp:97 mode=AAC-hbr;config=1210;${extra}`;
const refused: [string, string[], RegExp][] = [
  ["indexlength -13", [AAC_RTPMAP, aacFmtp("sizelength=13;indexlength=-13")], /indexlength "-13"/],
  ["sizelength 99", [AAC_RTPMAP, aacFmtp("sizelength=99")], /sizelength 99 is invalid: .*1\.\.16/],
  ["sizelength 0", [AAC_RTPMAP, aacFmtp("sizelength=0")], /sizelength 0 is invalid: .*1\.\.16/],
  ["indexlength 17", [AAC_RTPMAP, aacFmtp("indexlength=17")], /indexlength 17 is invalid: .*0\.\.16/],
  ["indexdeltalength 40", [AAC_RTPMAP, aacFmtp("indexdeltalength=40")], /indexdeltalength 40 .*0\.\.16/],
  ["sizelength 1e1", [AAC_RTPMAP, aacFmtp("sizelength=1e1")], /sizelength "1e1" .*decimal/],
  ["empty sizelength", [AAC_RTPMAP, aacFmtp("sizelength=")], /sizelength "" .*decimal/],
  [
    "non-base64 sprop-parameter-sets",
    ["a=rtpmap:97 H264/90000", "a=fmtp:97 sprop-parameter-sets=Z2QA!!,aOvjyyLA"],
    /sprop-parameter-sets "Z2QA!!" is invalid: must be base64/,
  ],
  [
    "non-base64 sprop-sps",
    ["a=rtpmap:97 H265/90000", "a=fmtp:97 sprop-vps=QAEM;sprop-sps=%%%;sprop-pps=RAHA"],
    /sprop-sps "%%%" is invalid: must be base64/,
  ],
  ["payload type 300", ["a=rtpmap:300 PCMA/8000"], /payload type "300" .*0\.\.127/],
];
for (const [name, attrs, message] of refused) {
  Deno.test(`mediaInfo refuses ${name}`, () => {
    const pt = name === "payload type 300" ? "300" : "97";
    const text = ["v=0", `m=audio 0 RTP/AVP ${pt}`, ...attrs, ""].join("\r\n");
    assert.throws(
      () => mediaInfo(parseSdp(text).media[0]),
      (e: unknown) => e instanceof ProtocolError && message.test(e.message),
    );
  });
}

Deno.test("mediaInfo: AAC-lbr defaults, unpadded base64 and 0-width index fields are accepted", () => {
  const aac = parseSdp(
    ["v=0", "m=audio 0 RTP/AVP 97", AAC_RTPMAP, aacFmtp("indexlength=0;indexdeltalength=0"), ""].join("\r\n"),
  );
  assert.deepEqual((mediaInfo(aac.media[0]) as MediaInfo).aacLayout, {
    sizeLength: 13,
    indexLength: 0,
    indexDeltaLength: 0,
  });
  const sets = [h264.sps, h264.pps[0]].map((b) => toBase64(b).replace(/=+$/, "")).join(",");
  const v = parseSdp(
    `v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 sprop-parameter-sets=${sets}\r\n`,
  );
  assert.deepEqual((mediaInfo(v.media[0]) as MediaInfo).track, h264);
});
