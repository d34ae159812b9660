import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import { decodeAmf0All } from "../../formats/amf/mod.ts";
import { FlvDemuxer } from "../../formats/flv/mod.ts";
import { ChunkReader, type RtmpMessage } from "./chunk_stream.ts";
import { MessageType } from "./messages.ts";
import { PLAY_STREAM_ID, RtmpMuxer } from "./muxer.ts";
import { aac, frames, h264, h265, testStream } from "./_test_media.ts";

function parse(bytes: Uint8Array, chunkSize: number): RtmpMessage[] {
  const got: RtmpMessage[] = [];
  const r = new ChunkReader((m) => got.push(m));
  r.setChunkSize(chunkSize);
  r.push(bytes);
  return got;
}

function demux(messages: RtmpMessage[]): Frame[] {
  const d = new FlvDemuxer();
  const out: Frame[] = [];
  for (const m of messages) {
    const f = m.type === MessageType.video
      ? d.video(m.payload, m.timestamp)
      : m.type === MessageType.audio
      ? d.audio(m.payload, m.timestamp)
      : null;
    if (f) out.push(f);
  }
  return out;
}

const cases = [
  { name: "H264 legacy, chunk 128", video: h264, form: "legacy" as const, chunkSize: 128, enhanced: false },
  { name: "H264 legacy, chunk 4096", video: h264, form: "legacy" as const, chunkSize: 4096, enhanced: false },
  {
    name: "HEVC legacy (codec id 12)",
    video: h265,
    form: "legacy" as const,
    chunkSize: 4096,
    enhanced: false,
  },
  { name: "HEVC enhanced (hvc1)", video: h265, form: "enhanced" as const, chunkSize: 4096, enhanced: true },
];

for (const c of cases) {
  Deno.test(`RtmpMuxer round trip: ${c.name}`, () => {
    const video = c.video(), audio = aac();
    const input = frames(video, audio);
    const mux = new RtmpMuxer(testStream(), { form: c.form, chunkSize: c.chunkSize });
    const out: Uint8Array[] = [];
    for (const f of input) mux.mux(f, out);
    const messages = parse(new Uint8Array(out.flatMap((b) => [...b])), c.chunkSize);
    assert.ok(messages.every((m) => m.streamId === PLAY_STREAM_ID));
    const videoMsgs = messages.filter((m) => m.type === MessageType.video);
    assert.ok(videoMsgs.every((m) => ((m.payload[0] & 0x80) !== 0) === c.enhanced));
    if (!c.enhanced && video.codec === "h265") assert.equal(videoMsgs[0].payload[0] & 0x0f, 12);
    const back = demux(messages);
    assert.equal(back.length, input.length);
    for (const [i, f] of back.entries()) {
      assert.equal(f.track.codec, input[i].track.codec);
      assert.equal(f.dts, input[i].dts, `frame ${i} dts`);
      assert.equal(f.pts, input[i].pts, `frame ${i} pts`);
      assert.equal(f.key, input[i].key);
      assert.deepEqual(f.data, input[i].data);
    }
  });
}

Deno.test("RtmpMuxer header: onMetaData with the variant's codec ids, then sequence headers", () => {
  const s = testStream();
  s.setTrack(h265());
  s.setTrack(aac());
  s.metadata = { encoder: "test", videocodecid: 7, duration: 30 };
  for (const [form, id] of [["legacy", 12], ["enhanced", 0x68766331]] as const) {
    const messages = parse(new RtmpMuxer(s, { form, chunkSize: 128 }).header(), 128);
    assert.deepEqual(messages.map((m) => m.type), [
      MessageType.dataAmf0,
      MessageType.video,
      MessageType.audio,
    ]);
    const [name, meta] = decodeAmf0All(messages[0].payload) as [string, Record<string, unknown>];
    assert.equal(name, "onMetaData");
    assert.equal(meta.encoder, "test");
    assert.equal(meta.duration, undefined, "a live stream has no duration");
    assert.equal(meta.server, "Estuary");
    assert.equal(meta.videocodecid, id);
    assert.deepEqual([meta.width, meta.height], [320, 240]);
  }
});

Deno.test("RtmpMuxer: a track change sends a new sequence header first", () => {
  const mux = new RtmpMuxer(testStream(), { form: "legacy", chunkSize: 4096 });
  const a = h264(), b = { ...h264() };
  const out: Uint8Array[] = [];
  mux.mux({ track: a, dts: 0, pts: 0, key: true, data: new Uint8Array(5) }, out);
  mux.mux({ track: a, dts: 3000, pts: 3000, key: false, data: new Uint8Array(5) }, out);
  mux.mux({ track: b, dts: 6000, pts: 6000, key: true, data: new Uint8Array(5) }, out);
  const kinds = parse(new Uint8Array(out.flatMap((x) => [...x])), 4096).map((m) => m.payload[1]);
  assert.deepEqual(kinds, [0, 1, 1, 0, 1]); // AVCPacketType: header, NALU, NALU, header, NALU
});

Deno.test("RtmpMuxer: an extended timestamp is repeated on fmt 3 chunks unless disabled", () => {
  for (const fmt3ExtTime of [true, false]) {
    const mux = new RtmpMuxer(testStream(), { form: "legacy", chunkSize: 128, fmt3ExtTime });
    const out: Uint8Array[] = [];
    const ms = 0x1000000 + 5;
    mux.mux({ track: h264(), dts: ms * 90, pts: ms * 90, key: true, data: new Uint8Array(1000) }, out);
    const messages = parse(out[1], 128);
    assert.equal(messages[0].timestamp, ms);
    assert.equal(messages[0].payload.byteLength, 1005);
  }
});
