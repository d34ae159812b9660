import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { chunkMessage, ChunkReader, type RtmpMessage } from "./chunk_stream.ts";
import { parseSetChunkSize } from "./messages.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (b) => parseInt(b, 16));

function collect(opts?: ConstructorParameters<typeof ChunkReader>[1]) {
  const got: RtmpMessage[] = [];
  const reader = new ChunkReader((m) => got.push(m), opts);
  return { got, reader };
}

function payload(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

const roundTrips = [
  { name: "small on csid 3", csid: 3, len: 10, chunk: 128, ts: 1000 },
  { name: "empty payload", csid: 3, len: 0, chunk: 128, ts: 0 },
  { name: "exactly one chunk", csid: 6, len: 128, chunk: 128, ts: 5 },
  { name: "many chunks", csid: 6, len: 1000, chunk: 128, ts: 40 },
  { name: "2-byte basic header (csid 64)", csid: 64, len: 300, chunk: 100, ts: 7 },
  { name: "2-byte basic header (csid 319)", csid: 319, len: 300, chunk: 100, ts: 7 },
  { name: "3-byte basic header (csid 320)", csid: 320, len: 300, chunk: 100, ts: 7 },
  { name: "3-byte basic header (csid 65599)", csid: 65599, len: 300, chunk: 100, ts: 7 },
  { name: "extended timestamp on every chunk", csid: 4, len: 500, chunk: 128, ts: 0x1000000 },
  { name: "timestamp exactly 0xffffff", csid: 4, len: 300, chunk: 128, ts: 0xffffff },
  { name: "large chunk size", csid: 6, len: 70000, chunk: 65536, ts: 1 },
];

for (const c of roundTrips) {
  for (const split of [0, 1, 7]) {
    Deno.test(`chunk round trip: ${c.name}${split ? `, fed ${split} bytes at a time` : ""}`, () => {
      const p = payload(c.len);
      const bytes = chunkMessage({ csid: c.csid, type: 9, streamId: 1, timestamp: c.ts, payload: p }, {
        chunkSize: c.chunk,
      });
      const { got, reader } = collect();
      reader.setChunkSize(c.chunk);
      if (split === 0) reader.push(bytes);
      else for (let i = 0; i < bytes.byteLength; i += split) reader.push(bytes.subarray(i, i + split));
      assert.equal(got.length, 1);
      assert.deepEqual(got[0], { csid: c.csid, type: 9, streamId: 1, timestamp: c.ts, payload: p });
    });
  }
}

Deno.test("chunk reader: fmt 1, 2 and 3 headers add deltas", () => {
  const { got, reader } = collect();
  reader.push(hex(
    "03 000064 000002 14 01000000 aabb" + // fmt 0: ts 100, len 2, type 20, msid 1
      "43 00000a 000001 09 cc" + // fmt 1: delta 10, len 1, type 9
      "83 000005 dd" + // fmt 2: delta 5
      "c3 ee", // fmt 3: new message, delta 5 again
  ));
  assert.deepEqual(got.map((m) => [m.timestamp, m.type, m.streamId, m.payload.byteLength]), [
    [100, 20, 1, 2],
    [110, 9, 1, 1],
    [115, 9, 1, 1],
    [120, 9, 1, 1],
  ]);
});

Deno.test("chunk reader: interleaved chunk streams", () => {
  const { got, reader } = collect();
  reader.setChunkSize(2);
  reader.push(hex(
    "04 000000 000004 08 01000000 0102" + // audio csid 4, first half
      "06 000000 000003 09 01000000 0a0b" + // video csid 6, first chunk
      "c4 0304" + // audio continuation → complete
      "c6 0c", // video continuation → complete
  ));
  assert.deepEqual(got.map((m) => [m.csid, Array.from(m.payload)]), [[4, [1, 2, 3, 4]], [6, [10, 11, 12]]]);
});

Deno.test("chunk reader: fmt 3 without the repeated extended timestamp (hdr3exttime=false)", () => {
  const p = payload(300);
  const bytes = chunkMessage({ csid: 4, type: 8, streamId: 1, timestamp: 0x2000000, payload: p }, {
    chunkSize: 128,
    fmt3ExtTime: false,
  });
  const { got, reader } = collect();
  reader.push(bytes);
  assert.equal(got.length, 1);
  assert.equal(got[0].timestamp, 0x2000000);
  assert.deepEqual(got[0].payload, p);
});

Deno.test("chunk reader: abort drops the partial message", () => {
  const { got, reader } = collect();
  reader.setChunkSize(2);
  reader.push(hex("04 000000 000004 08 01000000 0102"));
  reader.abort(4);
  reader.push(hex("04 000000 000001 08 01000000 09"));
  assert.deepEqual(got.map((m) => Array.from(m.payload)), [[9]]);
});

Deno.test("chunk reader: set chunk size applies to the very next chunk", () => {
  const got: RtmpMessage[] = [];
  const reader = new ChunkReader((m) => {
    got.push(m);
    if (m.type === 1) reader.setChunkSize(parseSetChunkSize(m.payload));
  });
  const big = payload(4000);
  reader.push(
    new Uint8Array([
      ...hex("02 000000 000004 01 00000000 00001000"),
      ...chunkMessage({ csid: 6, type: 9, streamId: 1, timestamp: 0, payload: big }, { chunkSize: 4096 }),
    ]),
  );
  assert.equal(got.length, 2);
  assert.deepEqual(got[1].payload, big);
});

const bad = [
  {
    name: "chunk size 0",
    bytes: "02 000000 000004 01 00000000 00000000",
    rule: /chunk size 0 is invalid: must be 1\.\.2147483647/,
  },
  {
    name: "chunk size with top bit set",
    bytes: "02 000000 000004 01 00000000 80000000",
    rule: /chunk size 2147483648 is invalid/,
  },
  {
    name: "huge message length",
    bytes: "03 000000 ffffff 14 00000000",
    rule: /message length 16777215 on chunk stream 3 is invalid: must be at most 1048576/,
  },
  { name: "fmt 3 on a new chunk stream", bytes: "c5 00", rule: /chunk stream 5 starts with a fmt 3 header/ },
];
for (const c of bad) {
  Deno.test(`chunk reader: ${c.name} is a ProtocolError`, () => {
    const reader = new ChunkReader((m) => {
      if (m.type === 1) reader.setChunkSize(parseSetChunkSize(m.payload));
    }, { maxMessageLength: 1 << 20 });
    assert.throws(
      () => reader.push(hex(c.bytes)),
      (e: unknown) => e instanceof ProtocolError && c.rule.test(e.message),
    );
  });
}

Deno.test("chunk reader: many unfinished messages are bounded", () => {
  const reader = new ChunkReader(() => {}, { maxMessageLength: 1000, maxPendingBytes: 2500 });
  reader.setChunkSize(1);
  reader.push(hex("04 000000 0003e8 08 00000000 00"));
  reader.push(hex("05 000000 0003e8 08 00000000 00"));
  assert.throws(() => reader.push(hex("06 000000 0003e8 08 00000000 00")), ProtocolError);
});

Deno.test("chunk writer: a payload in parts equals the joined payload", () => {
  const a = payload(5), b = payload(300, 9);
  const joined = new Uint8Array([...a, ...b]);
  for (const chunkSize of [1, 5, 6, 128, 4096]) {
    const m = { csid: 6, type: 9, streamId: 1, timestamp: 3 };
    assert.deepEqual(
      chunkMessage({ ...m, payload: [a, b] }, { chunkSize }),
      chunkMessage({ ...m, payload: joined }, { chunkSize }),
    );
  }
});
