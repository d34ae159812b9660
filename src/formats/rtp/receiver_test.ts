import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import type { Track } from "../../core/track.ts";
import { h264Track } from "../../codecs/h264.ts";
import { h265Track } from "../../codecs/h265.ts";
import { aacTrack, buildAsc } from "../../codecs/aac.ts";
import { opusTrack } from "../../codecs/opus.ts";
import { g711Track } from "../../codecs/g711.ts";
import { joinAvcc } from "../../codecs/nal.ts";
import { accessUnits, fixture } from "./_test_util.ts";
import { RtpPacketizer } from "./packetizer.ts";
import { RtpReceiver } from "./receiver.ts";
import { parseRtp } from "./packet.ts";
import { SessionClock } from "./timeline.ts";

function videoFrames(codec: "h264" | "h265"): Frame[] {
  const file = codec === "h264" ? "h264_320x240_bframes.h264" : "h265_320x240.h265";
  const aus = accessUnits(fixture(file), codec);
  const all = aus.flat();
  const find = (t: number) => all.find((n) => (codec === "h264" ? n[0] & 0x1f : (n[0] >> 1) & 0x3f) === t)!;
  const track: Track = codec === "h264"
    ? h264Track(find(7), [find(8)])
    : h265Track(find(32), find(33), [find(34)]);
  return aus.map((nals, i) => {
    const key = nals.some((n) =>
      codec === "h264" ? (n[0] & 0x1f) === 5 : ((n[0] >> 1) & 0x3f) === 19 || ((n[0] >> 1) & 0x3f) === 20
    );
    return { track, dts: i * 3000, pts: i * 3000, key, data: joinAvcc(nals) };
  });
}

function audioFrames(track: Track, size: number, step: number, n = 20): Frame[] {
  return Array.from({ length: n }, (_, i) => {
    const data = new Uint8Array(size).fill(i + 1);
    return { track, dts: i * step, pts: i * step, key: true, data };
  });
}

const aac = aacTrack(buildAsc({ objectType: 2, sampleRate: 44100, channels: 2 }));
const cases: {
  name: string;
  frames: () => Frame[];
  codec: string;
  rtpClock: number;
  mtu: number;
  withTrack: boolean;
}[] = [
  {
    name: "H.264 (B-frames, FU-A)",
    frames: () => videoFrames("h264"),
    codec: "h264",
    rtpClock: 90000,
    mtu: 400,
    withTrack: false,
  },
  {
    name: "H.265 (AP, FU)",
    frames: () => videoFrames("h265"),
    codec: "h265",
    rtpClock: 90000,
    mtu: 500,
    withTrack: true,
  },
  {
    name: "AAC",
    frames: () => audioFrames(aac, 300, 1024),
    codec: "aac",
    rtpClock: 44100,
    mtu: 1460,
    withTrack: true,
  },
  {
    name: "AAC fragmented",
    frames: () => audioFrames(aac, 1500, 1024),
    codec: "aac",
    rtpClock: 44100,
    mtu: 600,
    withTrack: true,
  },
  {
    name: "Opus",
    frames: () => audioFrames(opusTrack(2), 120, 960),
    codec: "opus",
    rtpClock: 48000,
    mtu: 1460,
    withTrack: true,
  },
  {
    name: "PCMA",
    frames: () => audioFrames(g711Track("pcma"), 160, 160),
    codec: "pcma",
    rtpClock: 8000,
    mtu: 1460,
    withTrack: true,
  },
];

function roundTrip(
  frames: Frame[],
  codec: string,
  rtpClock: number,
  mtu: number,
  withTrack: boolean,
  mangle?: (p: Uint8Array[]) => Uint8Array[],
  reorderWindow = 0,
) {
  const track = frames[0].track;
  const pk = new RtpPacketizer(track, {
    payloadType: 96,
    ssrc: 42,
    mtu,
    sequence: 65530,
    timestampBase: 4294967000,
  });
  let packets: Uint8Array[] = [];
  for (const f of frames) packets.push(...pk.packets(f));
  for (const p of packets) assert.ok(p.length <= mtu, `packet ${p.length} > mtu ${mtu}`);
  if (mangle) packets = mangle(packets);
  const rx = new RtpReceiver({
    codec,
    rtpClock,
    track: withTrack ? track : undefined,
    session: new SessionClock(0),
    reorderWindow,
  });
  const out: Frame[] = [];
  for (const p of packets) rx.push(parseRtp(p), 1000, out);
  rx.flush(out);
  return { out, rx };
}

for (const c of cases) {
  Deno.test(`rtp round trip: ${c.name}`, () => {
    const frames = c.frames();
    const { out } = roundTrip(frames, c.codec, c.rtpClock, c.mtu, c.withTrack);
    assert.equal(out.length, frames.length);
    for (let i = 0; i < frames.length; i++) {
      assert.deepEqual(out[i].data, frames[i].data, `frame ${i} data`);
      assert.equal(out[i].pts, frames[i].pts, `frame ${i} pts`);
      assert.equal(out[i].key, frames[i].key, `frame ${i} key`);
      assert.ok(out[i].dts <= out[i].pts);
      if (i > 0) assert.ok(out[i].dts > out[i - 1].dts);
    }
    assert.equal(out[0].track.codec, frames[0].track.codec);
  });
}

Deno.test("rtp receiver: reordered UDP packets come out whole", () => {
  const frames = videoFrames("h264");
  const { out, rx } = roundTrip(frames, "h264", 90000, 400, false, (p) => {
    const q = [...p];
    for (let i = 0; i + 3 < q.length; i += 5) [q[i + 1], q[i + 3]] = [q[i + 3], q[i + 1]];
    return q;
  }, 16);
  assert.equal(out.length, frames.length);
  assert.equal(rx.stats.lost, 0);
});

Deno.test("rtp receiver: a lost FU fragment drops frames up to the next keyframe", () => {
  const frames = [
    ...videoFrames("h264"),
    ...videoFrames("h264").map((f) => ({ ...f, pts: f.pts + 36000, dts: f.dts + 36000 })),
  ];
  // Lose the third packet: inside the first keyframe's FU-A run.
  const { out, rx } = roundTrip(frames, "h264", 90000, 400, false, (p) => p.filter((_, i) => i !== 2), 16);
  assert.equal(rx.stats.lost, 1);
  assert.equal(out.length, frames.length / 2, "only the second GOP survives");
  assert.equal(out[0].key, true);
});

Deno.test("rtp receiver: a truncated FU sequence is dropped, not emitted", () => {
  const frames = videoFrames("h264");
  const { out } = roundTrip(frames, "h264", 90000, 400, false, (p) => {
    // Remove the FU end of the keyframe's slice but renumber nothing: the reorder buffer sees a gap.
    const endAt = p.findIndex((b) => (b[12] & 0x1f) === 28 && (b[13] & 0x40) !== 0);
    return p.filter((_, i) => i !== endAt);
  }, 0);
  assert.equal(out.length, 0, "no keyframe survived, so nothing is emitted");
});
