import assert from "node:assert/strict";
import { aacTrack, joinAvcc } from "../../codecs/mod.ts";
import type { Frame } from "../../core/frame.ts";
import type { AudioTrack, VideoTrack } from "../../core/track.ts";
import { decodeAmf0All } from "../amf/mod.ts";
import { liveMetadata } from "./metadata.ts";
import { type FlvHeaderSource, FlvTagMuxer, type FlvTagWriter } from "./tag_muxer.ts";
import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, type FlvTagType } from "./tag.ts";
import { h264, h265 } from "./_test_util.ts";

const aac = aacTrack(Uint8Array.of(0x12, 0x10));

interface Written {
  type: FlvTagType;
  ms: number;
  head: Uint8Array;
  data?: Uint8Array;
}

/** Records tags instead of framing them. */
class Recorder implements FlvTagWriter {
  tags: Written[] = [];
  writeTag(out: Uint8Array[], type: FlvTagType, ms: number, head: Uint8Array, data?: Uint8Array) {
    this.tags.push({ type, ms, head, data });
    out.push(head);
  }
}

const video = (track: VideoTrack, ms: number, key = true): Frame => ({
  track,
  dts: ms * 90,
  pts: ms * 90,
  key,
  data: joinAvcc([Uint8Array.of(key ? 0x65 : 0x41, 1, 2)]),
});
const audio = (track: AudioTrack, ms: number): Frame => ({
  track,
  dts: (ms * track.clockRate) / 1000,
  pts: (ms * track.clockRate) / 1000,
  key: true,
  data: Uint8Array.of(0x21, 0),
});

Deno.test("FlvTagMuxer: a sequence header before each new track's first frame; payloads stay shared", () => {
  const m = new FlvTagMuxer({ form: "legacy" });
  const w = new Recorder();
  const other = { ...h264 };
  const frames = [video(h264, 0), audio(aac, 0), video(h264, 40, false), audio(aac, 40), video(other, 80)];
  for (const f of frames) m.mux(f, w, []);
  // AVCPacketType (video) / AACPacketType (audio): 0 = sequence header, 1 = media.
  assert.deepEqual(w.tags.map((t) => [t.type, t.head[1], t.ms]), [
    [FLV_TAG_VIDEO, 0, 0],
    [FLV_TAG_VIDEO, 1, 0],
    [FLV_TAG_AUDIO, 0, 0],
    [FLV_TAG_AUDIO, 1, 0],
    [FLV_TAG_VIDEO, 1, 40],
    [FLV_TAG_AUDIO, 1, 40],
    [FLV_TAG_VIDEO, 0, 80],
    [FLV_TAG_VIDEO, 1, 80],
  ]);
  const media = w.tags.filter((t) => t.data);
  assert.deepEqual(media.map((t) => t.data), frames.map((f) => f.data));
  assert.ok(media.every((t, i) => t.data === frames[i].data), "the very same views, not copies");
  assert.equal(m.lastMs, 80);
});

Deno.test("FlvTagMuxer: an unrepresentable frame is skipped, counted, and reported once", () => {
  const errors: unknown[] = [];
  const m = new FlvTagMuxer({ form: "legacy", onSkip: (e) => errors.push(e) });
  const w = new Recorder();
  // A composition offset of 2^23 ms does not fit FLV's signed 24 bits.
  const bad: Frame = { ...video(h264, 0), pts: 0x800000 * 90 };
  m.mux(bad, w, []);
  m.mux({ ...bad, dts: 90, pts: 90 + 0x800000 * 90 }, w, []);
  m.mux(video(h264, 2), w, []);
  assert.equal(m.skipped, 2);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /CompositionTime/);
  assert.equal(w.tags.filter((t) => t.data).length, 1, "the next good frame still goes out");
  assert.equal(m.lastMs, 2);
});

Deno.test("FlvTagMuxer header: onMetaData then sequence headers, for the tracks already muxed", () => {
  const source: FlvHeaderSource = {
    metadata: { encoder: "x", duration: 9 },
    videoTrack: h264,
    audioTrack: aac,
  };
  for (const [form, id] of [["legacy", 12], ["enhanced", 0x68766331]] as const) {
    const m = new FlvTagMuxer({ form, hevcCodecId: 12 });
    // The source says H.264 while the bytes muxed so far carry H.265: a joiner must get H.265's.
    m.mux(video(h265, 10), new Recorder(), []);
    const w = new Recorder();
    m.header(source, 7, w, []);
    assert.deepEqual(w.tags.map((t) => [t.type, t.ms]), [
      [FLV_TAG_SCRIPT, 7],
      [FLV_TAG_VIDEO, 7],
      [FLV_TAG_AUDIO, 7],
    ]);
    const [name, meta] = decodeAmf0All(w.tags[0].head) as [string, Record<string, unknown>];
    assert.equal(name, "onMetaData");
    assert.equal(meta.videocodecid, id, form);
    assert.deepEqual([meta.width, meta.height, meta.encoder, meta.duration], [320, 240, "x", undefined]);
    assert.equal((w.tags[1].head[0] & 0x80) !== 0, form === "enhanced");
  }
});

Deno.test("liveMetadata: publisher keys pass except file ones; ours win; server is named", () => {
  const publisher = { encoder: "obs", Duration: 12, filesize: 1, videocodecid: 7, width: 1, custom: true };
  assert.deepEqual(liveMetadata(publisher, h265, aac, { form: "legacy", hevcCodecId: 12 }), {
    encoder: "obs",
    custom: true,
    width: 320,
    height: 240,
    framerate: 30,
    videocodecid: 12,
    audiocodecid: 10,
    audiosamplerate: 44100,
    audiosamplesize: 16,
    audiochannels: 2,
    stereo: true,
    server: "Estuary",
  });
  assert.deepEqual(liveMetadata(undefined, undefined, undefined, { form: "enhanced" }), {
    server: "Estuary",
  });
});
