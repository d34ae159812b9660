import assert from "node:assert/strict";
import { InterleavedCounter, PacketStats, SeqSpan } from "./packet_players.ts";

Deno.test("SeqSpan: packets over the span of their sequence numbers, across the 16-bit wrap", () => {
  const s = new SeqSpan();
  for (const seq of [65530, 65531, 65533, 65535, 0, 1, 3]) s.add(seq);
  assert.equal(s.count, 7);
  assert.equal(s.span, 10); // 65530 .. 3
  s.add(65532); // late: counted, the span stays
  assert.equal(s.count, 8);
  assert.equal(s.span, 10);
  assert.equal(new SeqSpan().span, 0);
});

/** An interleaved frame: `$`, channel, length, then an RTP header with `seq` and `extra` payload bytes. */
function frame(channel: number, seq: number, extra = 20): Uint8Array {
  const rtp = new Uint8Array(12 + extra);
  rtp[0] = 0x80;
  rtp[2] = seq >> 8;
  rtp[3] = seq & 0xff;
  const out = new Uint8Array(4 + rtp.length);
  out.set([0x24, channel, rtp.length >> 8, rtp.length & 0xff]);
  out.set(rtp, 4);
  return out;
}

Deno.test("InterleavedCounter: RTP sequence numbers per track, however the TCP stream is cut", () => {
  const frames = [frame(0, 100), frame(2, 7), frame(1, 0), frame(0, 101), frame(0, 103), frame(2, 8)];
  const all = new Uint8Array(frames.reduce((a, f) => a + f.length, 0));
  let o = 0;
  for (const f of frames) {
    all.set(f, o);
    o += f.length;
  }
  for (const cut of [1, 2, 3, 5, 7, 17, all.length]) {
    const stats = new PacketStats();
    stats.tracks = [new SeqSpan(), new SeqSpan()];
    stats.start();
    const c = new InterleavedCounter(stats);
    for (let i = 0; i < all.length; i += cut) c.feed(all.subarray(i, i + cut));
    assert.equal(stats.tracks[0].count, 3, `cut ${cut}: video packets`);
    assert.equal(stats.tracks[0].span, 4, `cut ${cut}: 100..103`);
    assert.equal(stats.tracks[1].count, 2, `cut ${cut}: audio packets (the RTCP channel 1 is not counted)`);
    assert.equal(stats.share(), 5 / 6, `cut ${cut}: share`);
  }
});

Deno.test("PacketStats: nothing is counted outside the window; SRT share from the receiver's counters", () => {
  const stats = new PacketStats();
  stats.tracks = [new SeqSpan()];
  const c = new InterleavedCounter(stats);
  c.feed(frame(0, 1));
  assert.equal(stats.tracks[0].count, 0);
  assert.equal(stats.share(), 0);

  const srt = new PacketStats();
  srt.srt = { delivered: 50, dropped: 3 };
  srt.start();
  srt.srt.delivered += 99;
  srt.srt.dropped += 1;
  srt.stop();
  srt.srt.dropped += 100; // after the window
  assert.equal(srt.share(), 99 / 100);
});
