import assert from "node:assert/strict";
import { vp9Payloads } from "./vp9.ts";

Deno.test("vp9 payloads: B on the first, E on the last, V and the size on a key frame's first packet", () => {
  const frame = new Uint8Array(2100).map((_, i) => i & 0xff);
  const ps = vp9Payloads(frame, 1000, { key: true, pictureId: 0x7fff, width: 640, height: 360 });
  assert.equal(ps.length, 3);
  assert.equal(ps[0][0], 0x80 | 0x08 | 0x02); // I, B, V (not P: a key frame)
  assert.equal(ps[1][0], 0x80);
  assert.equal(ps[2][0], 0x80 | 0x04);
  for (const p of ps) {
    assert.ok(p.length <= 1000);
    assert.deepEqual([...p.subarray(1, 3)], [0xff, 0xff]);
  }
  assert.deepEqual([...ps[0].subarray(3, 8)], [0x10, 640 >> 8, 640 & 0xff, 360 >> 8, 360 & 0xff]);
  const body = [...ps[0].subarray(8), ...ps[1].subarray(3), ...ps[2].subarray(3)];
  assert.deepEqual(new Uint8Array(body), frame);
});

Deno.test("vp9 payloads: an inter frame is P, without the scalability structure; a small one is B and E", () => {
  const ps = vp9Payloads(new Uint8Array(50).fill(1), 1000, {
    key: false,
    pictureId: 5,
    width: 640,
    height: 360,
  });
  assert.equal(ps.length, 1);
  assert.equal(ps[0][0], 0x80 | 0x40 | 0x08 | 0x04);
  assert.deepEqual([...ps[0].subarray(1, 3)], [0x80, 5]);
  assert.equal(ps[0].length, 53);
  assert.throws(
    () => vp9Payloads(new Uint8Array(5), 8, { key: true, pictureId: 0, width: 1, height: 1 }),
    /8 is invalid/,
  );
});
