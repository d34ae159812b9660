import assert from "node:assert/strict";
import { aacPayload, aacPayloads, AacUnpacker } from "./aac.ts";
import { ProtocolError } from "../../core/errors.ts";

const au = (n: number, fill: number) => new Uint8Array(n).fill(fill);

const cases: [string, number[]][] = [
  ["one AU", [300]],
  ["three AUs", [200, 210, 190]],
  ["tiny AUs", [1, 2, 3, 4, 5, 6, 7, 8]],
];
for (const [name, sizes] of cases) {
  Deno.test(`aac AAC-hbr: ${name} in one packet`, () => {
    const aus = sizes.map((s, i) => au(s, i + 1));
    const p = aacPayload(aus);
    assert.equal((p[0] << 8) | p[1], 16 * aus.length, "AU-headers-length in bits");
    const out: Uint8Array[] = [];
    new AacUnpacker().push(p, true, out);
    assert.deepEqual(out, aus);
  });
}

Deno.test("aac: an AU larger than the MTU is fragmented and reassembled", () => {
  const big = au(3000, 7);
  big[0] = 1;
  big[2999] = 2;
  const parts = aacPayloads(big, 1000);
  assert.equal(parts.length, 4);
  const u = new AacUnpacker();
  const out: Uint8Array[] = [];
  parts.forEach((p, i) => u.push(p, i === parts.length - 1, out));
  assert.deepEqual(out, [big]);
  // A lost fragment: nothing comes out, and the unpacker flags it.
  const u2 = new AacUnpacker();
  const out2: Uint8Array[] = [];
  u2.push(parts[0], false, out2);
  u2.push(parts[2], false, out2);
  u2.push(parts[3], true, out2);
  assert.equal(out2.length, 0);
  assert.equal(u2.corrupt, true);
});

Deno.test("aac: AU sizes past the payload throw", () => {
  const p = aacPayload([au(10, 1), au(10, 2)]);
  assert.throws(() => new AacUnpacker().push(p.subarray(0, 16), true, []), ProtocolError);
  assert.throws(() => new AacUnpacker().push(new Uint8Array([0, 64, 0]), true, []), ProtocolError);
});

// Issue 10: a layout whose header widths do not advance the header loop froze the server.
const layouts: [string, { sizeLength: number; indexLength: number; indexDeltaLength: number }, RegExp][] = [
  [
    "negative indexlength",
    { sizeLength: 13, indexLength: -13, indexDeltaLength: 3 },
    /indexlength -13 .*0\.\.16/,
  ],
  ["sizelength 99", { sizeLength: 99, indexLength: 3, indexDeltaLength: 3 }, /sizelength 99 .*1\.\.16/],
  ["sizelength 0", { sizeLength: 0, indexLength: 0, indexDeltaLength: 0 }, /sizelength 0 .*1\.\.16/],
  ["indexdeltalength NaN", { sizeLength: 13, indexLength: 3, indexDeltaLength: NaN }, /indexdeltalength NaN/],
];
for (const [name, layout, message] of layouts) {
  Deno.test(`aac: AacUnpacker refuses ${name}`, () => {
    assert.throws(
      () => new AacUnpacker(layout),
      (e: unknown) => e instanceof ProtocolError && message.test(e.message),
    );
  });
}

Deno.test("aac: empty AUs produce nothing, so one packet's output is bounded by its bytes", () => {
  // 1-bit sizes, no index: 65528 headers of size 0, then one byte.
  const p = new Uint8Array(2 + 8191 + 1);
  p[0] = 0xff;
  p[1] = 0xf8;
  const out: Uint8Array[] = [];
  new AacUnpacker({ sizeLength: 1, indexLength: 0, indexDeltaLength: 0 }).push(p, true, out);
  assert.deepEqual(out, []);
});
