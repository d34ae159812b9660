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
  assert.match(b.notes.join(), /no video: the source video is H265/);

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
  const vp8 = parseSdp(sendonly.replace(/a=rtpmap:\d+ H264\/90000\r?\n/g, ""));
  assert.match(negotiateIngest(vp8).notes.join(), /no video: the offer sends no H264/);
});
