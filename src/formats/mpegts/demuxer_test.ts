import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import type { AacTrack, H264Track, Track } from "../../core/track.ts";
import type { Frame } from "../../core/frame.ts";
import { concat, demux, fixture, remux } from "./_test_util.ts";
import { packetCount, TS_PACKET_SIZE, writePackets } from "./packet.ts";
import { writePesHeader } from "./pes.ts";
import { TsMuxer } from "./muxer.ts";

interface Want {
  file: string;
  video: { codec: string; frames: number; keys: number; width: number; height: number; bframes: boolean };
  audio: { codec: string; frames: number; sampleRate: number; channels: number; step: number };
}

// Facts from `ffprobe -count_frames` on the fixtures (see testdata/README.md).
const fixtures: Want[] = [
  {
    file: "h264_aac.mpegts",
    video: { codec: "h264", frames: 30, keys: 2, width: 320, height: 240, bframes: true },
    audio: { codec: "aac", frames: 45, sampleRate: 44100, channels: 2, step: 1024 },
  },
  {
    file: "h265_aac.mpegts",
    video: { codec: "h265", frames: 30, keys: 2, width: 320, height: 240, bframes: false },
    audio: { codec: "aac", frames: 48, sampleRate: 48000, channels: 2, step: 1024 },
  },
  {
    file: "h264_opus.mpegts",
    video: { codec: "h264", frames: 30, keys: 2, width: 320, height: 240, bframes: false },
    audio: { codec: "opus", frames: 51, sampleRate: 48000, channels: 2, step: 960 },
  },
];

function byKind(frames: Frame[], kind: "video" | "audio"): Frame[] {
  return frames.filter((f) => f.track.kind === kind);
}

for (const w of fixtures) {
  Deno.test(`demux ffmpeg's ${w.file}: tracks, counts, timestamps`, () => {
    const { tracks, frames, stats } = demux(fixture(w.file));
    assert.deepEqual(tracks.map((t) => t.codec), [w.video.codec, w.audio.codec]);
    const [vt, at] = tracks;
    assert.ok(vt.kind === "video" && at.kind === "audio");
    assert.equal(vt.width, w.video.width);
    assert.equal(vt.height, w.video.height);
    assert.equal(vt.fps, 30);
    assert.equal(at.sampleRate, w.audio.sampleRate);
    assert.equal(at.channels, w.audio.channels);
    assert.equal(
      stats.garbageBytes + stats.badPackets + stats.ccErrors + stats.droppedPes + stats.droppedFrames,
      0,
    );

    const video = byKind(frames, "video");
    assert.equal(video.length, w.video.frames);
    assert.equal(video.filter((f) => f.key).length, w.video.keys);
    assert.ok(video[0].key);
    for (let i = 1; i < video.length; i++) {
      assert.ok(video[i].dts > video[i - 1].dts, `video dts ${i} increases`);
    }
    assert.ok(video.every((f) => f.pts >= f.dts));
    assert.equal(video.some((f) => f.pts !== f.dts), w.video.bframes);
    // Stripped: no AUD / parameter sets left in the data; NAL lengths cover the data exactly.
    for (const f of video) {
      let o = 0;
      while (o < f.data.length) {
        const len = new DataView(f.data.buffer, f.data.byteOffset).getUint32(o);
        const h = f.data[o + 4];
        const type = w.video.codec === "h264" ? h & 0x1f : (h >> 1) & 0x3f;
        assert.ok(w.video.codec === "h264" ? ![7, 8, 9].includes(type) : ![32, 33, 34, 35].includes(type));
        o += 4 + len;
      }
      assert.equal(o, f.data.length);
    }

    const audio = byKind(frames, "audio");
    assert.equal(audio.length, w.audio.frames);
    for (let i = 1; i < audio.length; i++) assert.equal(audio[i].dts - audio[i - 1].dts, w.audio.step);
    // Audio and video share one time line: starts within 100 ms of each other.
    assert.ok(Math.abs(audio[0].dts / at.clockRate - video[0].dts / 90000) < 0.1);
  });
}

Deno.test("demux gives the same frames whatever the chunking", () => {
  const bytes = fixture("h264_aac.mpegts");
  const whole = demux(bytes).frames;
  for (const chunk of [1, 100, 187, 189, 1316]) {
    const got = demux(bytes, chunk).frames;
    assert.equal(got.length, whole.length, `chunk ${chunk}`);
    got.forEach((f, i) => {
      assert.equal(f.dts, whole[i].dts);
      assert.deepEqual(f.data, whole[i].data);
    });
  }
});

Deno.test("demux resyncs over garbage between packets and counts it", () => {
  const bytes = fixture("h265_aac.mpegts");
  const parts: Uint8Array[] = [];
  let inserted = 0;
  for (let o = 0; o < bytes.length; o += TS_PACKET_SIZE) {
    parts.push(bytes.subarray(o, o + TS_PACKET_SIZE));
    if ((o / TS_PACKET_SIZE) % 10 === 5) {
      const junk = Uint8Array.from({ length: 1 + (o % 300) }, (_, i) => (i * 7) % 0x47);
      parts.push(junk);
      inserted += junk.length;
    }
  }
  const got = demux(concat(parts), 1316);
  assert.equal(got.stats.garbageBytes, inserted);
  assert.equal(got.frames.length, demux(bytes).frames.length);
});

Deno.test("demux drops a PES cut by a lost packet, counting the gap", () => {
  const bytes = fixture("h264_aac.mpegts");
  const lost = 100 * TS_PACKET_SIZE; // somewhere inside a video frame
  const cut = concat([bytes.subarray(0, lost), bytes.subarray(lost + TS_PACKET_SIZE)]);
  const whole = demux(bytes);
  const got = demux(cut);
  assert.equal(got.stats.ccErrors, 1);
  assert.equal(got.stats.droppedPes, 1);
  assert.equal(got.frames.length, whole.frames.length - 1);
});

Deno.test("demux resyncs after a truncated packet", () => {
  const bytes = fixture("h264_opus.mpegts");
  const at = 50 * TS_PACKET_SIZE;
  const cut = concat([bytes.subarray(0, at + 60), bytes.subarray(at + TS_PACKET_SIZE)]);
  const got = demux(cut, 1000);
  assert.equal(got.stats.garbageBytes, 60);
  assert.equal(got.stats.badPackets, 1);
  // The cut packet started a video PES: that frame and the unbounded one before it are lost.
  assert.equal(got.frames.length, demux(bytes).frames.length - 2);
});

Deno.test("demux throws ProtocolError on input that is not a transport stream", () => {
  assert.throws(() => demux(new Uint8Array(100_000).fill(0x20), 4096), ProtocolError);
});

Deno.test("demux unwraps the 33-bit PTS into monotonic time", () => {
  const { frames } = demux(fixture("h264_aac.mpegts"));
  const first = Math.min(...frames.map((f) => Math.floor((f.dts * 90000) / f.track.clockRate)));
  const shift = 2 ** 33 - 90000 / 2 - first; // wraps half a second in
  const shifted = frames.map((f) => {
    const d = f.track.kind === "video" ? shift : Math.round((shift * f.track.clockRate) / 90000);
    return { ...f, dts: f.dts + d, pts: f.pts + d };
  });
  const got = demux(concat(remux(shifted))).frames;
  assert.equal(got.length, frames.length);
  for (let i = 0; i < got.length; i++) {
    assert.equal(got[i].dts, shifted[i].dts, `frame ${i}`);
    assert.equal(got[i].pts, shifted[i].pts);
  }
  assert.ok(got.at(-1)!.dts > 2 ** 33);
});

Deno.test("demux emits a new track when the SPS changes", () => {
  const a = demux(fixture("h264_aac.mpegts")).frames.filter((f) => f.track.kind === "video");
  const b = demux(fixture("h264_opus.mpegts")).frames.filter((f) => f.track.kind === "video");
  const end = a.at(-1)!.dts + 3000;
  const frames = [
    ...a,
    ...b.map((f) => ({ ...f, dts: f.dts - b[0].dts + end, pts: f.pts - b[0].dts + end })),
  ];
  const got = demux(concat(remux(frames)));
  assert.deepEqual(got.tracks.map((t) => (t as H264Track).profile), [100, 66]);
  assert.equal(got.frames.length, 60);
  assert.equal(got.frames[29].track, got.tracks[0]);
  assert.equal(got.frames[30].track, got.tracks[1]);
});

/** A hand-built TS: PAT/PMT from a muxer, then the given PES packets on the given PIDs. */
function handBuilt(header: Uint8Array, pes: { pid: number; bytes: Uint8Array[] }[]): Uint8Array {
  const ccs = new Map<number, number>();
  const parts = [header];
  for (const p of pes) {
    const size = p.bytes.reduce((n, b) => n + b.length, 0);
    const opts = { pid: p.pid, cc: ccs.get(p.pid) ?? 0 };
    const out = new Uint8Array(packetCount(size, opts) * TS_PACKET_SIZE);
    ccs.set(p.pid, writePackets(out, 0, p.bytes, opts));
    parts.push(out);
  }
  return concat(parts);
}

function pesHeader(pts: number | undefined, payloadLength: number, streamId: number): Uint8Array {
  if (pts === undefined) return Uint8Array.from([0, 0, 1, streamId, 0, 0, 0x80, 0, 0]);
  const h = new Uint8Array(14);
  writePesHeader(h, 0, { streamId, pts, payloadLength });
  return h;
}

Deno.test("demux completes an ADTS frame cut across two PES packets, keeping its timing", () => {
  const src = demux(fixture("h264_aac.mpegts")).frames.filter((f) => f.track.kind === "audio").slice(0, 6);
  const track = src[0].track as AacTrack;
  const frameBytes = src.map((f) => {
    const len = f.data.length + 7;
    const h = [0xff, 0xf1, 0x50, 0x80 | (len >> 11), (len >> 3) & 0xff, ((len & 7) << 5) | 0x1f, 0xfc];
    return concat([Uint8Array.from(h), f.data]);
  });
  // PES 1: frames 0, 1 and half of 2 at PTS(frame 0); PES 2: rest of 2, frames 3..5 at PTS(frame 3).
  const all1 = concat([frameBytes[0], frameBytes[1], frameBytes[2].subarray(0, 50)]);
  const all2 = concat([frameBytes[2].subarray(50), ...frameBytes.slice(3)]);
  const pts = (f: Frame) => Math.round((f.dts * 90000) / track.clockRate);
  const header = new TsMuxer({ audio: track }).header();
  const ts = handBuilt(header, [
    { pid: 0x101, bytes: [pesHeader(pts(src[0]), all1.length, 0xc0), all1] },
    { pid: 0x101, bytes: [pesHeader(pts(src[3]), all2.length, 0xc0), all2] },
  ]);
  const got = demux(ts).frames;
  assert.equal(got.length, 6);
  got.forEach((f, i) => {
    assert.equal(f.dts, src[i].dts, `frame ${i}`);
    assert.deepEqual(f.data, src[i].data);
  });
});

Deno.test("demux joins an unbounded video PES with a following PES that has no PTS", () => {
  const src = demux(fixture("h264_aac.mpegts")).frames.filter((f) => f.track.kind === "video").slice(0, 2);
  const track = src[0].track as H264Track;
  const annexB = (f: Frame, withParams: boolean) => {
    const nals: Uint8Array[] = withParams ? [track.sps, ...track.pps] : [];
    for (let o = 0; o < f.data.length;) {
      const len = new DataView(f.data.buffer, f.data.byteOffset).getUint32(o);
      nals.push(f.data.subarray(o + 4, o + 4 + len));
      o += 4 + len;
    }
    return concat(nals.flatMap((n) => [Uint8Array.from([0, 0, 0, 1]), n]));
  };
  const first = annexB(src[0], true);
  const cut = 300;
  const header = new TsMuxer({ video: track }).header();
  const ts = handBuilt(header, [
    { pid: 0x100, bytes: [pesHeader(src[0].pts, 0x20000, 0xe0), first.subarray(0, cut)] },
    { pid: 0x100, bytes: [pesHeader(undefined, 0, 0xe0), first.subarray(cut)] },
    { pid: 0x100, bytes: [pesHeader(src[1].pts, 0x20000, 0xe0), annexB(src[1], false)] },
  ]);
  const got = demux(ts).frames;
  assert.equal(got.length, 2);
  assert.deepEqual(got[0].data, src[0].data);
  assert.ok(got[0].key);
  assert.deepEqual(got[1].data, src[1].data);
});

Deno.test("demux reports tracks in order, video first", () => {
  const tracks: Track[] = demux(fixture("h264_opus.mpegts")).tracks;
  assert.deepEqual(tracks.map((t) => t.kind), ["video", "audio"]);
});
