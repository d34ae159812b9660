import assert from "node:assert/strict";
import { parsePacket, TS_PACKET_SIZE } from "./packet.ts";
import { encodePat, encodePmt, psiPacketCount, STREAM_TYPE_PRIVATE_PES, writePsiPackets } from "./psi.ts";
import { SectionAssembler } from "./_sections.ts";

function feed(asm: SectionAssembler, packets: Uint8Array): Uint8Array[] {
  const got: Uint8Array[] = [];
  for (let o = 0; o < packets.length; o += TS_PACKET_SIZE) {
    const h = parsePacket(packets, o);
    asm.push(
      packets.subarray(o + h.payloadOffset, o + TS_PACKET_SIZE),
      h.pusi,
      h.cc,
      (s) => got.push(s.slice()),
    );
  }
  return got;
}

const longPmt = encodePmt({
  programNumber: 1,
  version: 0,
  pcrPid: 0x100,
  streams: Array.from({ length: 40 }, (_, i) => ({
    type: STREAM_TYPE_PRIVATE_PES,
    pid: 0x100 + i,
    descriptors: new Uint8Array(6),
  })),
});

Deno.test("SectionAssembler joins a section spread over packets, ignoring a duplicate", () => {
  const n = psiPacketCount(longPmt.length);
  assert.ok(n >= 3);
  const out = new Uint8Array(n * TS_PACKET_SIZE);
  writePsiPackets(out, 0, 0x1000, longPmt, 0);
  const dup = new Uint8Array([...out.subarray(0, 2 * TS_PACKET_SIZE), ...out.subarray(TS_PACKET_SIZE)]);
  assert.deepEqual(feed(new SectionAssembler(), dup), [longPmt]);
});

Deno.test("SectionAssembler drops a section missing a packet", () => {
  const n = psiPacketCount(longPmt.length);
  const out = new Uint8Array(n * TS_PACKET_SIZE);
  writePsiPackets(out, 0, 0x1000, longPmt, 0);
  const lost = new Uint8Array([...out.subarray(0, TS_PACKET_SIZE), ...out.subarray(2 * TS_PACKET_SIZE)]);
  assert.deepEqual(feed(new SectionAssembler(), lost), []);
});

Deno.test("SectionAssembler reads two sections in one packet", () => {
  const a = encodePat({ transportStreamId: 1, version: 0, programs: [{ number: 1, pid: 0x1000 }] });
  const b = encodePat({ transportStreamId: 2, version: 1, programs: [{ number: 2, pid: 0x1001 }] });
  const both = new Uint8Array([...a, ...b]);
  const out = new Uint8Array(TS_PACKET_SIZE);
  writePsiPackets(out, 0, 0, both, 0);
  assert.deepEqual(feed(new SectionAssembler(), out), [a, b]);
});
