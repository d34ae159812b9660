import assert from "node:assert/strict";
import { setDataFrameBody } from "../../formats/amf/mod.ts";
import {
  audioFrameBody,
  audioSequenceBody,
  videoFrameBody,
  videoSequenceBody,
} from "../../formats/flv/mod.ts";
import type { Frame } from "../../core/frame.ts";
import { announcedTracks, Ingest } from "./ingest.ts";
import { MessageType } from "./messages.ts";
import { aac, frames, h264, h265, testStream } from "./_test_media.ts";

const cases = [
  { name: "H264 + AAC", video: h264, form: "legacy" as const },
  { name: "HEVC legacy id 12 + AAC", video: h265, form: "legacy" as const },
  { name: "HEVC enhanced + AAC", video: h265, form: "enhanced" as const },
];

for (const c of cases) {
  Deno.test(`Ingest: ${c.name} → tracks, metadata and frames on the Stream`, async () => {
    const stream = testStream();
    const got: Frame[] = [];
    const reader = stream.addReader((fs) => {
      got.push(...fs);
    });
    const ingest = new Ingest(stream);
    const video = c.video(), audio = aac();
    ingest.message({
      csid: 5,
      type: MessageType.dataAmf0,
      streamId: 1,
      timestamp: 0,
      payload: setDataFrameBody({ width: 320 }),
    });
    ingest.video(videoSequenceBody(video, c.form), 0);
    ingest.audio(audioSequenceBody(audio)!, 0);
    assert.equal(stream.videoTrack?.codec, video.codec);
    assert.equal(stream.audioTrack?.codec, "aac");
    assert.deepEqual(stream.metadata, { width: 320 });
    const input = frames(video, audio);
    for (const f of input) {
      if (f.track.kind === "video") ingest.video(videoFrameBody(f, c.form), f.dts / 90);
      else ingest.audio(audioFrameBody(f), Math.round(f.dts * 1000 / 44100));
    }
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(got.length, input.length);
    assert.deepEqual(
      got.map((f) => f.pts),
      input.map((f) => f.track.kind === "video" ? f.pts : got[input.indexOf(f)].pts),
    );
    assert.equal(ingest.messages, input.length + 2);
    reader.close();
  });
}

Deno.test("announcedTracks: hasVideo/hasAudio first, else the codec ids named, else nothing", () => {
  const cases: [Record<string, unknown>, { video: boolean; audio: boolean } | undefined][] = [
    [{ hasVideo: true, hasAudio: false, videocodecid: 7, audiocodecid: 10 }, { video: true, audio: false }],
    [{ videocodecid: 7, audiocodecid: 10, width: 640 }, { video: true, audio: true }],
    [{ videocodecid: 7 }, { video: true, audio: false }],
    [{ audiocodecid: 10, audiosamplerate: 44100 }, { video: false, audio: true }],
    [{ videocodecid: "avc1" }, { video: true, audio: false }],
    [{ hasVideo: false, audiocodecid: 2 }, { video: false, audio: true }],
    [{ width: 320, encoder: "Lavf" }, undefined],
    [{ videocodecid: null }, undefined],
  ];
  for (const [meta, want] of cases) {
    assert.deepEqual(announcedTracks(meta as never), want, JSON.stringify(meta));
  }
});

Deno.test("Ingest: an audio-only onMetaData makes tracksReady settle on the audio track alone", async () => {
  const stream = testStream();
  const ingest = new Ingest(stream);
  ingest.data(setDataFrameBody({ audiocodecid: 10, audiosamplerate: 44100 }), false);
  ingest.audio(audioSequenceBody(aac())!, 0);
  // At once, not after the bounded wait for a video track that was never announced.
  assert.ok(stream.isTracksReady);
  const tracks = await stream.tracksReady;
  assert.deepEqual(tracks.map((t) => t.codec), ["aac"]);
  stream.end("test over");
});
