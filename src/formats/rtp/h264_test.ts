import assert from "node:assert/strict";
import { h264Payloads, H264Unpacker } from "./h264.ts";
import { ProtocolError } from "../../core/errors.ts";

function nal(type: number, size: number, fill = 0xab): Uint8Array {
  const n = new Uint8Array(size).fill(fill);
  n[0] = 0x60 | type;
  return n;
}

function unpack(payloads: Uint8Array[]): { nals: Uint8Array[]; corrupt: boolean } {
  const u = new H264Unpacker();
  const nals: Uint8Array[] = [];
  for (const p of payloads) u.push(p, nals);
  return { nals, corrupt: u.corrupt };
}

// [name, NAL sizes, mtu payload, expected packet kinds]
const cases: [string, [number, number][], number, string[]][] = [
  ["one small NAL → single", [[5, 100]], 1000, ["single"]],
  ["SPS+PPS+IDR → STAP-A then single", [[7, 20], [8, 5], [5, 990]], 1000, ["stap", "single"]],
  ["big NAL → FU-A", [[5, 2500]], 1000, ["fu", "fu", "fu"]],
  ["small ones beyond max → two STAP-A", [[6, 400], [6, 400], [6, 400], [6, 400]], 1000, ["stap", "stap"]],
  ["exact fit single", [[1, 1000]], 1000, ["single"]],
  ["one byte over → FU-A", [[1, 1001]], 1000, ["fu", "fu"]],
];

for (const [name, spec, max, kinds] of cases) {
  Deno.test(`h264 payloads: ${name}`, () => {
    const nals = spec.map(([t, s], i) => nal(t, s, i + 1));
    const payloads = h264Payloads(nals, max);
    const got = payloads.map((p) => {
      const t = p[0] & 0x1f;
      return t === 24 ? "stap" : t === 28 ? "fu" : "single";
    });
    assert.deepEqual(got, kinds);
    for (const p of payloads) assert.ok(p.length <= max, `payload ${p.length} > ${max}`);
    const back = unpack(payloads);
    assert.equal(back.corrupt, false);
    assert.deepEqual(back.nals, nals);
  });
}

Deno.test("h264 FU-A: a lost middle, a missing start and a truncated end mark corruption", () => {
  const fu = h264Payloads([nal(5, 3000)], 1000);
  assert.equal(fu.length, 4);
  assert.equal(unpack([fu[0], fu[2], fu[3]]).corrupt, false, "a silent gap is the reorder buffer's job");
  const noStart = unpack([fu[1], fu[2], fu[3]]);
  assert.equal(noStart.corrupt, true);
  assert.equal(noStart.nals.length, 0);
  const truncated = unpack([fu[0], fu[1], nal(1, 50)]);
  assert.equal(truncated.corrupt, true);
  assert.equal(truncated.nals.length, 1, "the following single NAL still comes out");
});

Deno.test("h264 malformed payloads throw ProtocolError", () => {
  const u = new H264Unpacker();
  assert.throws(() => u.push(new Uint8Array([24, 0, 50, 1, 2]), []), ProtocolError);
  assert.throws(() => u.push(new Uint8Array([28, 0x85]), []), ProtocolError);
  assert.throws(() => u.push(new Uint8Array([26, 0, 0]), []), ProtocolError);
});

Deno.test("h264 FU-A: a run that never ends is dropped at 16 MiB", () => {
  const u = new H264Unpacker();
  const out: Uint8Array[] = [];
  u.push(new Uint8Array([28, 0x85, 1]), out);
  const middle = new Uint8Array(60000);
  middle[0] = 28;
  middle[1] = 0x05;
  for (let i = 0; i < 300 && !u.corrupt; i++) u.push(middle, out);
  assert.equal(u.corrupt, true);
  assert.equal(out.length, 0);
});
