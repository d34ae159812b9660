import assert from "node:assert/strict";
import { setDataFrameBody } from "../../formats/amf/mod.ts";
import {
  audioFrameBody,
  audioSequenceBody,
  videoFrameBody,
  videoSequenceBody,
} from "../../formats/flv/mod.ts";
import type { Frame } from "../../core/frame.ts";
import { Ingest } from "./ingest.ts";
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
