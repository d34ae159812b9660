import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import { Stream } from "../../core/stream.ts";
import { metaDataOf, parseScriptData } from "../amf/mod.ts";
import { FlvDemuxer } from "./demux.ts";
import { FlvFanoutMuxer } from "./fanout_muxer.ts";
import type { FlvVideoForm } from "./mux.ts";
import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, type FlvTag, readFlvTags } from "./tag.ts";

const fixture = readFlvTags(
  Deno.readFileSync(new URL("./testdata/h264_aac.flv", import.meta.url)),
);

const gop = { enabled: true, maxFrames: 1000, maxBytes: 1 << 24 };
const newStream = () => new Stream({ app: "live", name: "flv", vhost: "", info: { from: "test" }, gop });

/** Demuxes FLV tags into frames (and the publisher's metadata). */
function demux(tags: FlvTag[]) {
  const d = new FlvDemuxer();
  const frames: Frame[] = [];
  let metadata: Record<string, unknown> | undefined;
  for (const t of tags) {
    if (t.type === FLV_TAG_SCRIPT) metadata = metaDataOf(parseScriptData(t.body));
    const f = t.type === FLV_TAG_VIDEO
      ? d.video(t.body, t.timestamp)
      : t.type === FLV_TAG_AUDIO
      ? d.audio(t.body, t.timestamp)
      : null;
    if (f) frames.push(f);
  }
  return { frames, metadata, video: d.videoTrack, audio: d.audioTrack };
}

function muxAll(form: FlvVideoForm, frames: Frame[], metadata?: Record<string, unknown>) {
  const s = newStream();
  s.metadata = metadata;
  const m = new FlvFanoutMuxer(s, { form, hevcCodecId: 12 });
  const before = m.header();
  const out: Uint8Array[] = [];
  for (const f of frames) m.mux(f, out);
  const after = m.header();
  s.end();
  return { before, body: out, after };
}

Deno.test("FlvFanoutMuxer: legacy form reproduces ffmpeg's tag bodies and timestamps", () => {
  const src = demux(fixture.tags);
  assert.ok(src.frames.length > 50);
  const { before, body } = muxAll("legacy", src.frames, src.metadata);
  // No tracks known yet: announce audio and video.
  assert.equal(before[4], 5);
  const got = readFlvTags(new Uint8Array(Buffer.concat([before, ...body])));
  // ffmpeg ends the file with an AVC end-of-sequence tag; a live stream has no end to mark.
  const isEos = (t: FlvTag) => t.type === FLV_TAG_VIDEO && t.body[1] === 2;
  const media = (tags: FlvTag[]) => tags.filter((t) => t.type !== FLV_TAG_SCRIPT && !isEos(t));
  // Sequence headers come just before a track's first frame, so compare each kind in order.
  for (const type of [FLV_TAG_VIDEO, FLV_TAG_AUDIO]) {
    const want = media(fixture.tags).filter((t) => t.type === type);
    const have = media(got.tags).filter((t) => t.type === type);
    assert.equal(have.length, want.length);
    for (let i = 0; i < want.length; i++) {
      // Our sequence header carries its first frame's time, ffmpeg's carries 0.
      if (i > 0) assert.equal(have[i].timestamp, want[i].timestamp, `type ${type} tag ${i}`);
      assert.deepEqual(have[i].body, want[i].body, `type ${type} tag ${i}`);
    }
  }
  const meta = metaDataOf(parseScriptData(got.tags[0].body))!;
  assert.equal(meta.width, 320);
  assert.equal(meta.height, 240);
  assert.equal(meta.videocodecid, 7);
  assert.equal(meta.audiocodecid, 10);
  assert.equal(meta.duration, undefined, "file-only keys are dropped");
  assert.equal(meta.encoder, src.metadata!.encoder, "publisher keys pass through");
});

Deno.test("FlvFanoutMuxer: header carries the current sequence headers; both forms round-trip", () => {
  const src = demux(fixture.tags);
  for (const form of ["legacy", "enhanced"] as const) {
    const { after, body } = muxAll(form, src.frames);
    const head = readFlvTags(after);
    assert.equal(after[4], 5);
    assert.deepEqual(head.tags.map((t) => t.type), [FLV_TAG_SCRIPT, FLV_TAG_VIDEO, FLV_TAG_AUDIO]);
    // A late joiner's view: header, then the tail of the stream from a keyframe.
    const firstKey = src.frames.findIndex((f, i) => i > 20 && f.key && f.track.kind === "video");
    assert.ok(firstKey > 0, "a keyframe after the first");
    const bytes = Buffer.concat([after, ...body]);
    const back = demux(readFlvTags(new Uint8Array(bytes)).tags);
    assert.equal(back.frames.length, src.frames.length, form);
    for (let i = firstKey; i < src.frames.length; i++) {
      const a = src.frames[i], b = back.frames[i];
      assert.deepEqual(
        [b.dts, b.pts, b.key, b.track.codec],
        [a.dts, a.pts, a.key, a.track.codec],
        `${form} ${i}`,
      );
      assert.deepEqual(b.data, a.data);
    }
    assert.equal(back.video?.width, 320);
    if (form === "enhanced") assert.ok(head.tags[1].body[0] & 0x80, "enhanced video header bit");
  }
});
