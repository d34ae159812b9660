import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { flvHeader, flvTag, FlvTagReader, readFlvTags } from "./tag.ts";

const cases = [
  { name: "video at 0", type: 9 as const, ts: 0, body: [0x17, 0, 0, 0, 0] },
  { name: "audio at 1000", type: 8 as const, ts: 1000, body: [0xaf, 1, 0x21] },
  { name: "script, empty", type: 18 as const, ts: 5, body: [] },
  { name: "extended timestamp", type: 9 as const, ts: 0x12345678, body: [0x27, 1, 0, 0, 0, 9] },
  { name: "wrapped past 2^32", type: 8 as const, ts: 2 ** 32 + 7, body: [0x72] },
];

function file(): Uint8Array {
  const parts = [
    flvHeader({ video: true, audio: true }),
    ...cases.map((c) => flvTag(c.type, c.ts, Uint8Array.from(c.body))),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

Deno.test("flvTag layout: header, 24-bit size, timestamp with extended byte, PreviousTagSize", () => {
  const t = flvTag(9, 0x12345678, Uint8Array.of(1, 2, 3));
  assert.deepEqual([...t], [9, 0, 0, 3, 0x34, 0x56, 0x78, 0x12, 0, 0, 0, 1, 2, 3, 0, 0, 0, 14]);
  assert.deepEqual([...flvHeader({ video: true, audio: false })], [
    0x46,
    0x4c,
    0x56,
    1,
    1,
    0,
    0,
    0,
    9,
    0,
    0,
    0,
    0,
  ]);
  assert.equal(flvHeader({ video: true, audio: true })[4], 5);
});

Deno.test("readFlvTags reads back every case", () => {
  const r = readFlvTags(file());
  assert.equal(r.hasAudio && r.hasVideo, true);
  assert.deepEqual(
    r.tags.map((t) => ({ type: t.type, ts: t.timestamp, body: [...t.body] })),
    cases.map((c) => ({ type: c.type, ts: c.ts % 2 ** 32, body: c.body })),
  );
});

Deno.test("FlvTagReader handles any chunking, down to one byte at a time", () => {
  const bytes = file();
  for (const step of [1, 2, 7, 13, 64]) {
    const reader = new FlvTagReader();
    const got: number[] = [];
    for (let o = 0; o < bytes.length; o += step) {
      for (const t of reader.push(bytes.slice(o, o + step))) got.push(t.timestamp);
    }
    assert.deepEqual(got, cases.map((c) => c.ts % 2 ** 32), `step ${step}`);
    assert.equal(reader.pending, 0);
  }
});

Deno.test("FLV reader rejects bad signatures and truncated files", () => {
  assert.throws(() => new FlvTagReader().push(new TextEncoder().encode("GIF89a...")), /FLV signature/);
  const bytes = file();
  assert.throws(() => readFlvTags(bytes.subarray(0, bytes.length - 3)), ProtocolError);
  assert.throws(() => flvTag(9, 0, new Uint8Array(0x1000000)), /at most/);
});
