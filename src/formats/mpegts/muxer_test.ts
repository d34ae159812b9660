import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import type { G711Track, OpusTrack, Track } from "../../core/track.ts";
import { opusTrack } from "../../codecs/mod.ts";
import { concat, demux, fixture } from "./_test_util.ts";
import { type PacketHeader, parsePacket, TS_PACKET_SIZE } from "./packet.ts";
import { parsePesHeader } from "./pes.ts";
import { parsePat, parsePmt } from "./psi.ts";
import { PID_AUDIO, PID_PMT, PID_VIDEO, TsMuxer } from "./muxer.ts";

function packets(bytes: Uint8Array): PacketHeader[] {
  assert.equal(bytes.length % TS_PACKET_SIZE, 0);
  const out: PacketHeader[] = [];
  for (let o = 0; o < bytes.length; o += TS_PACKET_SIZE) out.push(parsePacket(bytes, o));
  return out;
}

function sectionAt(bytes: Uint8Array, index: number): Uint8Array {
  const o = index * TS_PACKET_SIZE;
  const p = parsePacket(bytes, o);
  return bytes.subarray(o + p.payloadOffset + 1, o + TS_PACKET_SIZE);
}

for (const file of ["h264_aac.mpegts", "h265_aac.mpegts", "h264_opus.mpegts"]) {
  Deno.test(`mux → demux round trip keeps every frame of ${file}`, () => {
    const src = demux(fixture(file));
    const mux = new TsMuxer({ video: src.tracks[0] as never, audio: src.tracks[1] as never });
    const out = src.frames.map((f) => mux.mux(f));
    const got = demux(concat(out));
    assert.equal(got.frames.length, src.frames.length);
    got.frames.forEach((f, i) => {
      const s = src.frames[i];
      assert.deepEqual(
        [f.track.codec, f.dts, f.pts, f.key],
        [s.track.codec, s.dts, s.pts, s.key],
        `frame ${i}`,
      );
      assert.deepEqual(f.data, s.data);
    });
    assert.deepEqual(got.tracks, src.tracks);
  });
}

Deno.test("mux output: PSI first and before keyframes, continuous counters, PCR on video", () => {
  const src = demux(fixture("h264_aac.mpegts"));
  const mux = new TsMuxer({ video: src.tracks[0] as never, audio: src.tracks[1] as never });
  const lastCc = new Map<number, number>();
  src.frames.forEach((f, i) => {
    const out = mux.mux(f);
    const ps = packets(out);
    const key = f.key && f.track.kind === "video";
    if (i === 0 || key) {
      assert.deepEqual(ps.slice(0, 2).map((p) => p.pid), [0, PID_PMT], `frame ${i} starts with PAT/PMT`);
      assert.deepEqual(parsePat(sectionAt(out, 0)).programs, [{ number: 1, pid: PID_PMT }]);
      const pmt = parsePmt(sectionAt(out, 1));
      assert.equal(pmt.pcrPid, PID_VIDEO);
      assert.deepEqual(pmt.streams.map((s) => [s.type, s.pid]), [[0x1b, PID_VIDEO], [0x0f, PID_AUDIO]]);
    } else {
      assert.notEqual(ps[0].pid, 0);
    }
    const es = ps.filter((p) => p.hasPayload && (p.pid === PID_VIDEO || p.pid === PID_AUDIO));
    assert.ok(es[0].pusi);
    assert.ok(es.slice(1).every((p) => !p.pusi));
    if (f.track.kind === "video") {
      assert.equal(es[0].pcr, f.dts * 300);
      assert.equal(es[0].randomAccess, f.key);
    }
    for (const p of ps) {
      if (!p.hasPayload) continue;
      const prev = lastCc.get(p.pid);
      if (prev !== undefined) assert.equal(p.cc, (prev + 1) & 15, `PID ${p.pid} counter`);
      lastCc.set(p.pid, p.cc);
    }
  });
});

Deno.test("mux: keyframes carry AUD and parameter sets in Annex B", () => {
  const src = demux(fixture("h265_aac.mpegts"));
  const v = src.frames.find((f) => f.key)!;
  const out = new TsMuxer().mux(v);
  const ps = packets(out);
  const first = ps.findIndex((p) => p.pid === PID_VIDEO);
  const payload = out.subarray(first * TS_PACKET_SIZE + ps[first].payloadOffset);
  const es = payload.subarray(parsePesHeader(payload).headerLength);
  // AUD (type 35), then VPS (32), SPS (33), PPS (34)
  assert.deepEqual([...es.subarray(0, 7)], [0, 0, 0, 1, 0x46, 0x01, 0x50]);
  assert.equal((es[11] >> 1) & 0x3f, 32);
});

Deno.test("mux inserts a PCR-only packet, 100 ms behind, when audio runs 200 ms past the video PCR", () => {
  const src = demux(fixture("h264_aac.mpegts"));
  const video = src.frames.find((f) => f.track.kind === "video")!;
  const audio = src.frames.filter((f) => f.track.kind === "audio");
  const mux = new TsMuxer();
  mux.mux(video);
  const base = Math.round((video.dts * audio[0].track.clockRate) / 90000);
  const at = (ms: number): Frame => ({ ...audio[0], dts: base + ms * 44.1, pts: base + ms * 44.1 });
  assert.ok(packets(mux.mux(at(190))).every((p) => p.pcr === undefined));
  const late = packets(mux.mux(at(250)));
  assert.equal(late[0].pid, PID_VIDEO);
  assert.equal(late[0].hasPayload, false);
  assert.equal(late[0].pcr, (video.dts + 13500) * 300);
  assert.ok(packets(mux.mux(at(300))).every((p) => p.pcr === undefined));
});

Deno.test("mux audio-only: PCR on audio, PSI at start and every second", () => {
  const audio = demux(fixture("h264_opus.mpegts")).frames.filter((f) => f.track.kind === "audio");
  const mux = new TsMuxer({ audio: audio[0].track as OpusTrack });
  const psiAt: number[] = [];
  audio.forEach((f, i) => {
    const ps = packets(mux.mux(f));
    if (ps[0].pid === 0) psiAt.push(i);
    const first = ps.find((p) => p.pid === PID_AUDIO)!;
    assert.ok(first.pcr !== undefined);
  });
  assert.deepEqual(psiAt, [0, 50]); // 50 × 20 ms
  const pmt = parsePmt(psiFrom(mux.header()));
  assert.equal(pmt.pcrPid, PID_AUDIO);
  assert.deepEqual(pmt.streams.map((s) => s.type), [0x06]);
});

/** The PMT section of a `header()`: second packet, after its 4-byte header and pointer_field. */
function psiFrom(header: Uint8Array): Uint8Array {
  return header.subarray(TS_PACKET_SIZE + 5);
}

Deno.test("mux ignores tracks TS cannot carry", () => {
  const pcma: G711Track = { kind: "audio", codec: "pcma", clockRate: 8000, sampleRate: 8000, channels: 1 };
  const mux = new TsMuxer();
  assert.equal(mux.setTrack(pcma), false);
  assert.equal(mux.mux({ track: pcma, dts: 0, pts: 0, key: true, data: new Uint8Array(160) }).length, 0);
  assert.deepEqual(mux.tracks, []);
});

Deno.test("mux: a codec change bumps the PMT version and repeats PSI", () => {
  const [h264, aac] = demux(fixture("h264_aac.mpegts")).tracks;
  const mux = new TsMuxer({ video: h264 as never, audio: aac as never });
  const v0 = parsePmt(psiFrom(mux.header())).version;
  mux.setTrack(opusTrack(2));
  const pmt = parsePmt(psiFrom(mux.header()));
  assert.equal(pmt.version, (v0 + 1) & 31);
  assert.deepEqual(pmt.streams.map((s) => s.type), [0x1b, 0x06]);
  assert.deepEqual(mux.tracks.map((t: Track) => t.codec), ["h264", "opus"]);
});

Deno.test("mux header() repeats the last PAT/PMT counters", () => {
  const src = demux(fixture("h264_aac.mpegts"));
  const mux = new TsMuxer();
  const first = packets(mux.mux(src.frames.find((f) => f.key)!));
  const h = packets(mux.header());
  assert.deepEqual(h.map((p) => [p.pid, p.cc]), first.slice(0, 2).map((p) => [p.pid, p.cc]));
});

const opusSizes = [1, 254, 255, 256, 510, 1000];
for (const size of opusSizes) {
  Deno.test(`mux → demux Opus packet of ${size} bytes (control header au_size)`, () => {
    const track = opusTrack(2);
    const data = Uint8Array.from({ length: size }, (_, i) => (i === 0 ? 0xfc : i & 0xff)); // 20 ms CELT TOC
    const mux = new TsMuxer({ audio: track });
    const frames = [0, 960].map((t) => ({ track, dts: t, pts: t, key: true, data }));
    const got = demux(concat(frames.map((f) => mux.mux(f)))).frames;
    assert.equal(got.length, 2);
    assert.deepEqual(got[1].data, data);
    assert.deepEqual(got.map((f) => f.dts), [0, 960]);
  });
}
