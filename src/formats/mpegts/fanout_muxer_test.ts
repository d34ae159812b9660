import assert from "node:assert/strict";
import { g711Track } from "../../codecs/mod.ts";
import { concat } from "../../core/bytes.ts";
import { Stream } from "../../core/stream.ts";
import { TsFanoutMuxer } from "./fanout_muxer.ts";
import { TS_PACKET_SIZE } from "./packet.ts";
import { demux, fixture } from "./_test_util.ts";

const gop = { enabled: true, maxFrames: 1000, maxBytes: 1 << 24 };
const newStream = () => new Stream({ app: "live", name: "ts", vhost: "", info: { from: "test" }, gop });

Deno.test("TsFanoutMuxer: header then shared bytes demux back to the same frames", () => {
  const src = demux(fixture("h264_aac.mpegts"));
  const s = newStream();
  for (const t of src.tracks) s.setTrack(t);
  const mux = new TsFanoutMuxer(s);
  const out: Uint8Array[] = [];
  for (const f of src.frames) mux.mux(f, out);
  const head = mux.header();
  assert.equal(head.length % TS_PACKET_SIZE, 0);
  assert.ok(out.every((b) => b.length % TS_PACKET_SIZE === 0));
  const back = demux(concat([head, ...out]));
  assert.deepEqual(back.tracks.map((t) => t.codec), src.tracks.map((t) => t.codec));
  assert.equal(back.frames.length, src.frames.length);
  for (const [i, f] of back.frames.entries()) {
    assert.deepEqual([f.track.codec, f.dts, f.pts, f.key], [
      src.frames[i].track.codec,
      src.frames[i].dts,
      src.frames[i].pts,
      src.frames[i].key,
    ], `frame ${i}`);
  }
  s.end();
});

Deno.test("TsFanoutMuxer leaves G.711 out (video only) and says so once", () => {
  const src = demux(fixture("h264_aac.mpegts"));
  const video = src.tracks.find((t) => t.kind === "video")!;
  const audio = g711Track("pcma");
  const s = newStream();
  s.setTrack(video);
  s.setTrack(audio);
  const leftOut: string[] = [];
  const mux = new TsFanoutMuxer(s, { onLeftOut: (codec) => leftOut.push(codec) });
  const out: Uint8Array[] = [];
  mux.mux({ track: audio, dts: 0, pts: 0, key: true, data: new Uint8Array(160) }, out);
  mux.mux({ track: audio, dts: 160, pts: 160, key: true, data: new Uint8Array(160) }, out);
  assert.equal(out.length, 0, "no bytes for G.711");
  mux.mux(src.frames.find((f) => f.track === video && f.key)!, out);
  assert.equal(out.length, 1);
  assert.equal(out[0].length % TS_PACKET_SIZE, 0);
  assert.deepEqual(leftOut, ["pcma"]);
  assert.deepEqual(demux(concat([mux.header(), ...out])).tracks.map((t) => t.codec), ["h264"]);
  s.end();
});
