import assert from "node:assert/strict";
import type { Frame } from "../../core/frame.ts";
import { g711Track } from "../../codecs/g711.ts";
import { h264Track } from "../../codecs/h264.ts";
import { splitAnnexB } from "../../codecs/nal.ts";
import { parseRtp } from "../../formats/rtp/packet.ts";
import { parseRtcp, RTCP_SR } from "../../formats/rtp/rtcp.ts";
import { layoutId, RtpFanoutMuxer, UdpPlayerSink } from "./play_muxer.ts";
import type { UdpPair } from "./udp.ts";

const nals = splitAnnexB(
  Deno.readFileSync(new URL("../../formats/rtp/testdata/h264_320x240_bframes.h264", import.meta.url)),
);
const video = h264Track(nals.find((n) => (n[0] & 0x1f) === 7)!, [nals.find((n) => (n[0] & 0x1f) === 8)!]);
const audio = g711Track("pcma");
const idr = nals.find((n) => (n[0] & 0x1f) === 5)!;
const slice = nals.find((n) => (n[0] & 0x1f) === 1)!;
const avcc = (n: Uint8Array) => {
  const b = new Uint8Array(4 + n.length);
  new DataView(b.buffer).setUint32(0, n.length);
  b.set(n, 4);
  return b;
};

function frames(): Frame[] {
  const out: Frame[] = [];
  for (let i = 0; i < 6; i++) {
    out.push({
      track: video,
      dts: i * 3000,
      pts: i * 3000,
      key: i % 3 === 0,
      data: avcc(i % 3 === 0 ? idr : slice),
    });
    out.push({ track: audio, dts: i * 266, pts: i * 266, key: true, data: new Uint8Array(266) });
  }
  return out;
}

/** Splits `$`-framed bytes into [channel, payload]. */
function unframe(chunks: Uint8Array[]): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (const b of chunks) {
    for (let o = 0; o < b.length;) {
      assert.equal(b[o], 0x24);
      const len = (b[o + 2] << 8) | b[o + 3];
      out.push([b[o + 1], b.subarray(o + 4, o + 4 + len)]);
      o += 4 + len;
    }
  }
  return out;
}

Deno.test("rtsp muxer: interleaved RTP per channel, SRs at keyframes, RTP-Info points at the GOP start", () => {
  const slots = [{ track: video, channel: 0, payloadType: 96 }, { track: audio, channel: 2, payloadType: 8 }];
  const m = new RtpFanoutMuxer(slots, { mtu: 500, streamHasVideo: () => true });
  const out: Uint8Array[] = [];
  const all = frames();
  let infoAtSecondGop: ReturnType<RtpFanoutMuxer["startInfo"]> | undefined;
  let outAtSecondGop = 0;
  for (const f of all) {
    if (f.track === video && f.pts === 9000) outAtSecondGop = out.length;
    m.mux(f, out);
    if (f.track === video && f.pts === 9000) infoAtSecondGop = m.startInfo();
  }
  const items = unframe(out);
  const rtp = items.filter(([ch]) => ch % 2 === 0).map(([ch, p]) => [ch, parseRtp(p)] as const);
  const rtcp = items.filter(([ch]) => ch % 2 === 1).map(([ch, p]) => [ch, parseRtcp(p)[0]] as const);
  assert.ok(rtp.some(([ch, p]) => ch === 0 && p.payloadType === 96));
  assert.ok(rtp.some(([ch, p]) => ch === 2 && p.payloadType === 8));
  assert.equal(
    rtcp.filter(([, r]) => r.type === RTCP_SR).length,
    4,
    "an SR per track at each of 2 keyframes",
  );
  // Sequence numbers run on per track without gaps; SSRCs are stable.
  for (const ch of [0, 2]) {
    const ps = rtp.filter(([c]) => c === ch).map(([, p]) => p);
    for (let i = 1; i < ps.length; i++) assert.equal(ps[i].sequence, (ps[i - 1].sequence + 1) & 0xffff);
    assert.equal(new Set(ps.map((p) => p.ssrc)).size, 1);
  }
  // The player joining at the second GOP starts with exactly the seq/rtptime RTP-Info announced.
  const joined = unframe(out.slice(outAtSecondGop));
  const firstVideo = joined.map(([ch, p]) => ch === 0 ? parseRtp(p) : undefined).find((p) => p)!;
  assert.equal(infoAtSecondGop![0].seq, firstVideo.sequence);
  assert.equal(infoAtSecondGop![0].rtptime, firstVideo.timestamp);
  const firstAudio = joined.map(([ch, p]) => ch === 2 ? parseRtp(p) : undefined).find((p) => p)!;
  assert.equal(infoAtSecondGop![1].seq, firstAudio.sequence);
  assert.ok(layoutId(slots) !== layoutId([{ ...slots[0], channel: 4 }, slots[1]]));
});

Deno.test("rtsp muxer: frames of a codec the layout does not carry are skipped", () => {
  const m = new RtpFanoutMuxer([{ track: video, channel: 0, payloadType: 96 }], {
    mtu: 1400,
    streamHasVideo: () => true,
  });
  const out: Uint8Array[] = [];
  m.mux({ track: g711Track("pcmu"), dts: 0, pts: 0, key: true, data: new Uint8Array(160) }, out);
  assert.equal(unframe(out).filter(([ch]) => ch === 0 || ch === 2).length, 0);
});

Deno.test("udp player sink: one datagram per packet, RTP and RTCP to their ports", async () => {
  const sent: string[] = [];
  const pair = {
    sendRtp: (
      d: Uint8Array,
      to: { port: number },
    ) => (sent.push(`rtp:${to.port}:${d.length}`), Promise.resolve(d.length)),
    sendRtcp: (
      d: Uint8Array,
      to: { port: number },
    ) => (sent.push(`rtcp:${to.port}:${d.length}`), Promise.resolve(d.length)),
  } as unknown as UdpPair;
  const t = { pair, rtp: { hostname: "127.0.0.1", port: 5000 }, rtcp: { hostname: "127.0.0.1", port: 5001 } };
  const sink = new UdpPlayerSink([t, {
    ...t,
    rtp: { ...t.rtp, port: 6000 },
    rtcp: { ...t.rtcp, port: 6001 },
  }], () => {});
  await sink.write(new Uint8Array([0x24, 0, 0, 2, 1, 2, 0x24, 3, 0, 1, 9, 0x24, 2, 0, 3, 1, 2, 3]));
  assert.deepEqual(sent, ["rtp:5000:2", "rtcp:6001:1", "rtp:6000:3"]);
});
