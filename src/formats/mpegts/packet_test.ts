import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import {
  packetCount,
  type PacketizeOptions,
  parsePacket,
  readPcr,
  splitPayloads,
  SRT_PAYLOAD_SIZE,
  TS_PACKET_SIZE,
  writePackets,
  writePcr,
  writePcrPacket,
} from "./packet.ts";
import { TsAligner } from "./aligner.ts";

function bytes(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

/** Reassembles the payload of consecutive packets and checks headers along the way. */
function unpack(out: Uint8Array, opts: PacketizeOptions): Uint8Array {
  const parts: number[] = [];
  for (let o = 0; o < out.length; o += TS_PACKET_SIZE) {
    const h = parsePacket(out, o);
    const first = o === 0;
    assert.equal(h.pid, opts.pid);
    assert.equal(h.pusi, first);
    assert.equal(h.cc, (opts.cc + o / TS_PACKET_SIZE) & 15);
    if (first) {
      assert.equal(h.pcr, opts.pcr);
      assert.equal(h.randomAccess, opts.randomAccess ?? false);
    }
    parts.push(...out.subarray(o + h.payloadOffset, o + TS_PACKET_SIZE));
  }
  return Uint8Array.from(parts);
}

const packetizeCases: { name: string; size: number; opts: PacketizeOptions; packets: number }[] = [
  { name: "1 byte", size: 1, opts: { pid: 0x100, cc: 0 }, packets: 1 },
  { name: "exactly 184", size: 184, opts: { pid: 0x100, cc: 3 }, packets: 1 },
  { name: "183 (1-byte adaptation field)", size: 183, opts: { pid: 0x101, cc: 15 }, packets: 1 },
  { name: "185 spills", size: 185, opts: { pid: 0x101, cc: 15 }, packets: 2 },
  {
    name: "PCR shrinks the first packet",
    size: 184,
    opts: { pid: 0x100, cc: 0, pcr: 123456789 * 300 + 7 },
    packets: 2,
  },
  { name: "PCR exact fit", size: 176, opts: { pid: 0x100, cc: 0, pcr: 0 }, packets: 1 },
  { name: "random access only", size: 182, opts: { pid: 0x1fff - 1, cc: 9, randomAccess: true }, packets: 1 },
  {
    name: "large",
    size: 10000,
    opts: { pid: 0x100, cc: 14, pcr: 27000000, randomAccess: true },
    packets: 55,
  },
];

for (const c of packetizeCases) {
  Deno.test(`writePackets: ${c.name}`, () => {
    const payload = bytes(c.size);
    assert.equal(packetCount(c.size, c.opts), c.packets);
    const out = new Uint8Array(c.packets * TS_PACKET_SIZE);
    // Split the payload into uneven parts (including an empty one) to exercise part boundaries.
    const cut = Math.floor(c.size / 3);
    const parts = [payload.subarray(0, cut), new Uint8Array(0), payload.subarray(cut)];
    const next = writePackets(out, 0, parts, c.opts);
    assert.equal(next, (c.opts.cc + c.packets) & 15);
    assert.deepEqual(unpack(out, c.opts), payload);
  });
}

const pcrCases = [0, 1, 299, 300, 27_000_000, (2 ** 33 - 1) * 300 + 299];
for (const pcr of pcrCases) {
  Deno.test(`PCR ${pcr} round trip`, () => {
    const b = new Uint8Array(6);
    writePcr(b, 0, pcr);
    assert.equal(readPcr(b, 0), pcr);
  });
}

Deno.test("PCR wraps past 33 bits of base", () => {
  const b = new Uint8Array(6);
  writePcr(b, 0, 2 ** 33 * 300 + 5);
  assert.equal(readPcr(b, 0), 5);
});

Deno.test("PCR-only packet carries no payload", () => {
  const out = new Uint8Array(TS_PACKET_SIZE);
  writePcrPacket(out, 0, 0x100, 4, 900 * 300);
  const h = parsePacket(out);
  assert.equal(h.hasPayload, false);
  assert.equal(h.pcr, 900 * 300);
  assert.equal(h.cc, 4);
});

const badPackets: { name: string; bytes: Uint8Array }[] = [
  { name: "short", bytes: new Uint8Array(100).fill(0x47) },
  { name: "no sync byte", bytes: new Uint8Array(188) },
  {
    name: "adaptation field too long",
    bytes: Uint8Array.from({ length: 188 }, (_, i) => [0x47, 0, 0, 0x30, 183][i] ?? 0),
  },
];
for (const c of badPackets) {
  Deno.test(`parsePacket rejects: ${c.name}`, () => {
    assert.throws(() => parsePacket(c.bytes), ProtocolError);
  });
}

Deno.test("splitPayloads makes 1316-byte views", () => {
  const b = new Uint8Array(TS_PACKET_SIZE * 10);
  const parts = splitPayloads(b);
  assert.deepEqual(parts.map((p) => p.length), [SRT_PAYLOAD_SIZE, 3 * TS_PACKET_SIZE]);
  assert.equal(parts[1].buffer, b.buffer);
  assert.throws(() => splitPayloads(b, 1000), RangeError);
});

Deno.test("TsAligner emits only full payloads until flushed", () => {
  const a = new TsAligner();
  const src = bytes(TS_PACKET_SIZE * 20);
  const got: Uint8Array[] = [];
  for (const n of [3, 1, 9, 2, 5]) {
    const start = got.reduce((s, g) => s + g.length, 0) + a.pending;
    got.push(...a.push(src.subarray(start, start + n * TS_PACKET_SIZE)));
  }
  assert.ok(got.every((g) => g.length === SRT_PAYLOAD_SIZE));
  assert.equal(got.length, 2);
  const tail = a.flush();
  assert.equal(tail?.length, 6 * TS_PACKET_SIZE);
  assert.deepEqual(Uint8Array.from([...got.flatMap((g) => [...g]), ...tail!]), src);
  assert.equal(a.flush(), null);
});
