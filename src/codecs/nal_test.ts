import assert from "node:assert/strict";
import { ProtocolError } from "../core/errors.ts";
import { annexBToAvcc, avccToAnnexB, joinAvcc, splitAnnexB, splitAvcc } from "./nal.ts";
import { fixture, hex, toHex } from "./_fixture_test_util.ts";

const cases: { name: string; annexB: string; nals: string[] }[] = [
  { name: "4-byte start codes", annexB: "00000001 6742 00000001 68ce", nals: ["6742", "68ce"] },
  { name: "3-byte start codes", annexB: "000001 6742 000001 65aa", nals: ["6742", "65aa"] },
  { name: "mixed, trailing zeros", annexB: "00000001 09f0 000001 6588 0000", nals: ["09f0", "6588"] },
  { name: "no start code", annexB: "6588", nals: ["6588"] },
  { name: "empty", annexB: "", nals: [] },
];

Deno.test("splitAnnexB and joinAvcc/splitAvcc agree on the case table", () => {
  for (const c of cases) {
    const nals = splitAnnexB(hex(c.annexB)).map(toHex);
    assert.deepEqual(nals, c.nals, c.name);
    const avcc = joinAvcc(c.nals.map(hex));
    assert.deepEqual(splitAvcc(avcc).map(toHex), c.nals, c.name);
  }
});

Deno.test("Annex B ⇄ AVCC round trip on a real x264 stream", () => {
  const annexB = fixture("h264_640x360_high_30.h264");
  const avcc = annexBToAvcc(annexB);
  assert.deepEqual(splitAvcc(avcc).map(toHex), splitAnnexB(annexB).map(toHex));
  assert.deepEqual(annexBToAvcc(avccToAnnexB(avcc)), avcc);
});

Deno.test("splitAvcc throws ProtocolError on a length past the buffer", () => {
  assert.throws(
    () => splitAvcc(hex("00000005 6588")),
    (e) => e instanceof ProtocolError && /runs past/.test(e.message),
  );
  assert.throws(() => splitAvcc(hex("0000")), ProtocolError);
});
