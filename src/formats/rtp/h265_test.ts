import assert from "node:assert/strict";
import { h265Payloads, H265Unpacker } from "./h265.ts";
import { ProtocolError } from "../../core/errors.ts";

function nal(type: number, size: number, fill = 0xab): Uint8Array {
  const n = new Uint8Array(size).fill(fill);
  n[0] = type << 1;
  n[1] = 1;
  return n;
}

function unpack(payloads: Uint8Array[]) {
  const u = new H265Unpacker();
  const nals: Uint8Array[] = [];
  for (const p of payloads) u.push(p, nals);
  return { nals, corrupt: u.corrupt };
}

const cases: [string, [number, number][], number, string[]][] = [
  ["single", [[19, 300]], 1000, ["single"]],
  ["VPS+SPS+PPS → AP, IDR → FU", [[32, 24], [33, 40], [34, 8], [19, 2500]], 1000, ["ap", "fu", "fu", "fu"]],
  ["two APs", [[39, 450], [39, 450], [39, 450]], 1000, ["ap", "single"]],
];

for (const [name, spec, max, kinds] of cases) {
  Deno.test(`h265 payloads: ${name}`, () => {
    const nals = spec.map(([t, s], i) => nal(t, s, i + 1));
    const payloads = h265Payloads(nals, max);
    assert.deepEqual(
      payloads.map((p) => ({ 48: "ap", 49: "fu" } as Record<number, string>)[(p[0] >> 1) & 0x3f] ?? "single"),
      kinds,
    );
    for (const p of payloads) assert.ok(p.length <= max);
    const back = unpack(payloads);
    assert.equal(back.corrupt, false);
    assert.deepEqual(back.nals, nals);
  });
}

Deno.test("h265 FU without its start is corrupt; bad AP sizes throw", () => {
  const fu = h265Payloads([nal(1, 3000)], 1000);
  assert.equal(unpack(fu.slice(1)).corrupt, true);
  assert.throws(() => new H265Unpacker().push(new Uint8Array([96, 1, 0, 90, 1]), []), ProtocolError);
  assert.throws(() => new H265Unpacker().push(new Uint8Array([1]), []), ProtocolError);
});
