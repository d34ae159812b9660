import assert from "node:assert/strict";
import { parseSdp } from "../../formats/sdp/mod.ts";
import { Stream, type Track } from "../../core/mod.ts";
import { audio as aac, video as high } from "../../core/_fixtures_test_util.ts";
import { audioFor, negotiate, negotiateIngest } from "./codecs.ts";

const OFFER = parseSdp(
  Deno.readTextFileSync(new URL("./testdata/chromium_whep_offer.sdp", import.meta.url)),
);

function streamOf(...tracks: Track[]): Stream {
  const s = new Stream({
    app: "live",
    name: "t",
    vhost: "",
    info: { from: "test" },
    gop: { enabled: false, maxFrames: 0, maxBytes: 0 },
  });
  for (const t of tracks) s.setTrack(t);
  return s;
}

const baseline = { ...high, profile: 66, compat: 0xc0, level: 0x1e };
const main = { ...high, profile: 77, compat: 0x40 };
const opus = { kind: "audio", codec: "opus", clockRate: 48000, sampleRate: 48000, channels: 2 } as const;
const pcma = { kind: "audio", codec: "pcma", clockRate: 8000, sampleRate: 8000, channels: 1 } as const;
const h265 = { ...high, codec: "h265", vps: new Uint8Array(), hvcc: new Uint8Array() } as unknown as Track;

Deno.test("negotiate: H264 goes to the offer's closest packetization-mode 1 profile", () => {
  const cases: [string, Track, number, string][] = [
    // Constrained baseline (42e0…) is an exact profile + constraint match for a baseline source.
    ["baseline", baseline, 106, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"],
    ["main", main, 127, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f"],
    // Chromium offers no High: the first mode-1 entry (its decoder plays High anyway).
    ["high", high, 102, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"],
  ];
  for (const [name, track, pt, fmtp] of cases) {
    const n = negotiate(OFFER, streamOf(track));
    assert.deepEqual(n.video, {
      kind: "video",
      mimeType: "video/H264",
      clockRate: 90000,
      payloadType: pt,
      fmtp,
    }, name);
    assert.equal(n.audio, undefined);
    assert.deepEqual(n.notes, [], name);
  }
});

Deno.test("negotiate: Opus and G.711 pass through with the offer's payload types", () => {
  assert.deepEqual(negotiate(OFFER, streamOf(baseline, opus)).audio, {
    kind: "audio",
    mimeType: "audio/opus",
    clockRate: 48000,
    channels: 2,
    payloadType: 111,
    fmtp: "minptime=10;useinbandfec=1",
  });
  assert.deepEqual(negotiate(OFFER, streamOf(baseline, pcma)).audio, {
    kind: "audio",
    mimeType: "audio/PCMA",
    clockRate: 8000,
    channels: 1,
    payloadType: 8,
    fmtp: "",
  });
});

Deno.test("negotiate: AAC goes out as Opus (transcoded); what cannot be sent is left out with a reason (H265, no H264)", () => {
  const a = negotiate(OFFER, streamOf(baseline, aac));
  assert.ok(a.video);
  assert.equal(a.audio?.mimeType.toLowerCase(), "audio/opus");
  assert.equal(a.transcodeAudio, true);
  assert.deepEqual(audioFor("aac"), { codec: "opus", transcoded: true });
  assert.deepEqual(audioFor("opus"), { codec: "opus", transcoded: false });
  assert.equal(audioFor("mp3"), undefined);
  // <rtc><transcode>off: the AAC is left out (video only), with the reason; Opus still goes out.
  const off = negotiate(OFFER, streamOf(baseline, aac), false);
  assert.ok(off.video);
  assert.equal(off.audio, undefined);
  assert.equal(off.transcodeAudio, undefined);
  assert.deepEqual(off.notes, [
    "no audio: the source audio is AAC and audio transcoding is off (<rtc><transcode>)",
  ]);
  assert.ok(negotiate(OFFER, streamOf(baseline, opus), false).audio);

  const b = negotiate(OFFER, streamOf(h265, opus));
  assert.equal(b.video, undefined);
  assert.ok(b.audio);
  assert.match(b.notes.join(), /no video: the source video is H265, which the offer lacks/);

  const vp8Only = parseSdp(
    Deno.readTextFileSync(new URL("./testdata/chromium_whep_offer.sdp", import.meta.url))
      .replace(/a=fmtp:(102|106|127) .*packetization-mode=1.*\n/g, ""),
  );
  const c = negotiate(vp8Only, streamOf(baseline));
  assert.equal(c.video, undefined);
  assert.match(c.notes.join(), /no H264 with packetization-mode=1/);
});

Deno.test("negotiateIngest: a publisher's offer → constrained baseline H264 (mode 1) and Opus", () => {
  const sendonly = Deno.readTextFileSync(new URL("./testdata/chromium_whep_offer.sdp", import.meta.url))
    .replaceAll("a=recvonly", "a=sendonly");
  const n = negotiateIngest(parseSdp(sendonly));
  assert.deepEqual(n.video, {
    kind: "video",
    mimeType: "video/H264",
    clockRate: 90000,
    payloadType: 106,
    fmtp: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
  });
  assert.equal(n.audio?.payloadType, 111);
  assert.deepEqual(n.notes, []);
  // A recvonly offer sends nothing; an offer without H264 leaves video out with a reason.
  assert.deepEqual(negotiateIngest(OFFER), { notes: [] });
  // Without H264, VP8; without either, video is left out with a reason.
  const vp8 = parseSdp(sendonly.replace(/a=rtpmap:\d+ H264\/90000\r?\n/g, ""));
  assert.equal(negotiateIngest(vp8).video?.mimeType, "video/VP8");
  assert.equal(negotiateIngest(vp8).video?.payloadType, 96);
  const none = parseSdp(sendonly.replace(/a=rtpmap:\d+ (H264|VP8)\/90000\r?\n/g, ""));
  assert.match(negotiateIngest(none).notes.join(), /no video: the offer sends no H264 .* and no VP8/);
});

/** A recvonly offer with every video codec Chromium may offer (VP9 profiles 0 and 2, AV1, H265). */
const ALL_VIDEO = parseSdp([
  "v=0",
  "o=- 1 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "m=video 9 UDP/TLS/RTP/SAVPF 96 98 100 45 49 106",
  "c=IN IP4 0.0.0.0",
  "a=mid:0",
  "a=recvonly",
  "a=rtpmap:96 VP8/90000",
  "a=rtpmap:98 VP9/90000",
  "a=fmtp:98 profile-id=0",
  "a=rtpmap:100 VP9/90000",
  "a=fmtp:100 profile-id=2",
  "a=rtpmap:45 AV1/90000",
  "a=fmtp:45 level-idx=5;profile=0;tier=0",
  "a=rtpmap:49 H265/90000",
  "a=fmtp:49 level-id=93;profile-id=1;tier-flag=0;tx-mode=SRST",
  "a=rtpmap:106 H264/90000",
  "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
  "",
].join("\r\n"));

const vp8 = { ...high, codec: "vp8" } as unknown as Track;
const vp9 = (profile: number) =>
  ({
    ...high,
    codec: "vp9",
    config: new Uint8Array([1, 0, 0, 0, profile, 0, 0x82, 1, 1, 1, 0, 0]),
  }) as unknown as Track;
const av1 = (profile: number) =>
  ({ ...high, codec: "av1", config: new Uint8Array([0x81, profile << 5, 0x0c, 0]) }) as unknown as Track;

Deno.test("negotiate: VP8, VP9, AV1 and H265 go out as they are when the offer has them (same profile)", () => {
  const cases: [string, Track, number, string][] = [
    ["vp8", vp8, 96, "video/VP8"],
    ["vp9 profile 0", vp9(0), 98, "video/VP9"],
    ["vp9 profile 2", vp9(2), 100, "video/VP9"],
    ["av1", av1(0), 45, "video/AV1"],
    ["h265", h265, 49, "video/H265"],
    ["h264", baseline, 106, "video/H264"],
  ];
  for (const [name, track, pt, mime] of cases) {
    const n = negotiate(ALL_VIDEO, streamOf(track, opus));
    assert.equal(n.video?.mimeType, mime, name);
    assert.equal(n.video?.payloadType, pt, name);
    assert.deepEqual(n.notes, ["no audio: the offer receives no audio"], name);
  }
  // A profile the offer lacks, or a codec it lacks: audio only, and the note says why.
  const chromium = negotiate(OFFER, streamOf(av1(0), opus));
  assert.equal(chromium.video, undefined);
  assert.ok(chromium.audio);
  assert.deepEqual(chromium.notes, [
    "no video: the source video is AV1 profile 0, which the offer lacks (no video transcoding)",
  ]);
  const p1 = negotiate(ALL_VIDEO, streamOf(vp9(1)));
  assert.deepEqual(p1.notes, [
    "no video: the source video is VP9 profile 1, which the offer lacks (no video transcoding)",
  ]);
});
