import assert from "node:assert/strict";
import { vp8Descriptor, vp8Payloads } from "./vp8.ts";
import { createDepacketizer, type RtpUnit } from "./depacketizer.ts";
import type { RtpPacket } from "./packet.ts";
import { ProtocolError } from "../../core/errors.ts";

/** A VP8 key frame of `size` bytes: frame tag, start code and a 320x240 size, then filler. */
function keyFrame(size: number): Uint8Array {
  const f = new Uint8Array(size).map((_, i) => i & 0xff);
  f.set([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 320 & 0xff, 320 >> 8, 240, 0]);
  return f;
}

function interFrame(size: number): Uint8Array {
  const f = new Uint8Array(size).fill(7);
  f[0] = 0x31; // bit 0 set: an inter frame
  return f;
}

function rtp(payload: Uint8Array, seq: number, ts: number, marker: boolean): RtpPacket {
  return { payloadType: 96, marker, sequence: seq, timestamp: ts, ssrc: 1, payload };
}

Deno.test("vp8 payloads: descriptor with S on the first packet only, 15-bit PictureID, sizes within max", () => {
  const frame = keyFrame(2500);
  const ps = vp8Payloads(frame, 1000, 0x1234);
  assert.equal(ps.length, 3);
  for (const [i, p] of ps.entries()) {
    assert.ok(p.length <= 1000);
    assert.equal(p[0], i === 0 ? 0x90 : 0x80, `packet ${i} flags`);
    assert.deepEqual([...p.subarray(1, 4)], [0x80, 0x80 | 0x12, 0x34]);
    assert.deepEqual(vp8Descriptor(p), { start: i === 0, offset: 4 });
  }
  assert.deepEqual(new Uint8Array(ps.flatMap((p) => [...p.subarray(4)])), frame);
});

Deno.test("vp8 descriptor: the short forms other senders write (no extension, 7-bit PictureID, L/T/K)", () => {
  assert.deepEqual(vp8Descriptor(new Uint8Array([0x10, 9])), { start: true, offset: 1 });
  assert.deepEqual(vp8Descriptor(new Uint8Array([0x90, 0x80, 0x05, 9])), { start: true, offset: 3 });
  assert.deepEqual(vp8Descriptor(new Uint8Array([0x90, 0xe0, 0x85, 0x01, 3, 0x40, 9])), {
    start: true,
    offset: 6,
  });
  // S=1 with a partition index > 0 does not start a frame.
  assert.equal(vp8Descriptor(new Uint8Array([0x11, 9])).start, false);
  assert.throws(() => vp8Descriptor(new Uint8Array([])), ProtocolError);
  assert.throws(() => vp8Descriptor(new Uint8Array([0x80])), /X set but no extension/);
  assert.throws(() => vp8Descriptor(new Uint8Array([0x80, 0xf0, 0x80])), /descriptor of 6 bytes is invalid/);
});

Deno.test("vp8 depacketizer: frames back from packets; a loss drops until the next key frame", () => {
  const d = createDepacketizer({ codec: "vp8", rtpClock: 90000 });
  const out: RtpUnit[] = [];
  let seq = 0;
  const send = (frame: Uint8Array, ts: number, drop = -1) => {
    const ps = vp8Payloads(frame, 1200, ts);
    ps.forEach((p, i) => {
      if (i !== drop) {
        d.push(rtp(p, seq, ts, i === ps.length - 1), ts, i === drop + 1 && drop >= 0 ? 1 : 0, out);
      }
      seq++;
    });
  };
  send(interFrame(300), 0); // before any key frame: dropped
  const key = keyFrame(3000);
  send(key, 3000);
  send(interFrame(500), 6000);
  send(interFrame(2600), 9000, 1); // loses its middle packet
  send(interFrame(400), 12000); // waits for a key frame
  send(keyFrame(900), 15000);
  assert.deepEqual(out.map((u) => [u.timestamp, u.key, u.data.length]), [
    [3000, true, 3000],
    [6000, false, 500],
    [15000, true, 900],
  ]);
  assert.deepEqual(out[0].data, key);
  assert.equal(d.track?.codec, "vp8");
  assert.deepEqual([d.track?.width, d.track?.height], [320, 240]);
  assert.equal(d.stats.units, 3);
  assert.equal(d.stats.dropped, 3);
});

Deno.test("vp8 depacketizer: random payloads give ProtocolErrors or nothing, never another error", () => {
  const d = createDepacketizer({ codec: "vp8", rtpClock: 90000 });
  const out: RtpUnit[] = [];
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < 5000; i++) {
    const p = new Uint8Array(Math.floor(rnd() * 40)).map(() => Math.floor(rnd() * 256));
    try {
      d.push(
        rtp(p, i, Math.floor(i / 3) * 3000, rnd() < 0.3),
        Math.floor(i / 3) * 3000,
        rnd() < 0.05 ? 1 : 0,
        out,
      );
    } catch (err) {
      assert.ok(err instanceof ProtocolError, String(err));
    }
  }
  for (const u of out) assert.ok(u.data.length >= 3);
});
