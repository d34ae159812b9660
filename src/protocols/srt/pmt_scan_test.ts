import assert from "node:assert/strict";
import { aacTrack, buildAsc, h264Track, opusTrack, splitAnnexB } from "../../codecs/mod.ts";
import type { AudioTrack, VideoTrack } from "../../core/track.ts";
import { TsMuxer } from "../../formats/mpegts/mod.ts";
import { PmtScan } from "./pmt_scan.ts";

const nals = splitAnnexB(
  Deno.readFileSync(new URL("../../codecs/testdata/h264_640x360_high_30.h264", import.meta.url)),
);
const h264 = h264Track(nals.find((n) => (n[0] & 0x1f) === 7)!, [nals.find((n) => (n[0] & 0x1f) === 8)!]);
const aac = aacTrack(buildAsc({ objectType: 2, sampleRate: 48000, channels: 2 }));
const opus = opusTrack(2);

const cases: {
  name: string;
  video?: VideoTrack;
  audio?: AudioTrack;
  want: { video: boolean; audio: boolean };
}[] = [
  { name: "H.264 + AAC", video: h264, audio: aac, want: { video: true, audio: true } },
  { name: "H.264 only", video: h264, want: { video: true, audio: false } },
  { name: "AAC only", audio: aac, want: { video: false, audio: true } },
  { name: "Opus only (registration descriptor)", audio: opus, want: { video: false, audio: true } },
];

for (const c of cases) {
  Deno.test(`PmtScan: ${c.name} → the first PMT's kinds, once`, () => {
    const ts = new TsMuxer({ video: c.video, audio: c.audio }).header();
    const scan = new PmtScan();
    assert.deepEqual(scan.push(ts), c.want);
    assert.ok(scan.done);
    assert.equal(scan.push(ts), undefined, "only the first PMT counts");
  });
}

Deno.test("PmtScan: the PMT in a later payload than the PAT, and bytes that are not TS", () => {
  const ts = new TsMuxer({ video: h264, audio: aac }).header();
  const scan = new PmtScan();
  assert.equal(scan.push(new Uint8Array(188)), undefined, "no sync byte");
  assert.equal(scan.push(ts.subarray(0, 188)), undefined, "the PAT alone");
  assert.deepEqual(scan.push(ts.subarray(188)), { video: true, audio: true });
});
