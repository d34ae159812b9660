import assert from "node:assert/strict";
import { ProtocolError } from "../core/errors.ts";
import { BitReader, unescapeRbsp } from "./bit_reader.ts";
import { hex, toHex } from "./_fixture_test_util.ts";

Deno.test("BitReader reads fixed bits, ue and se", () => {
  // 1 | 010 | 011 | 00100 | 00101 | 0001000 → ue: 0,1,2,3,4,7 then se sequence below
  const r = new BitReader(new Uint8Array([0b1010_0110, 0b0100_0010, 0b1000_1000]));
  assert.deepEqual([r.ue(), r.ue(), r.ue(), r.ue(), r.ue(), r.ue()], [0, 1, 2, 3, 4, 7]);
  const cases: [number, number][] = [[0, 0], [1, 1], [2, -1], [3, 2], [4, -2], [7, 4]];
  for (const [k, want] of cases) {
    // encode k as ue, read as se
    const len = Math.floor(Math.log2(k + 1));
    const bits = "0".repeat(len) + (k + 1).toString(2);
    const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, "0");
    const bytes = Uint8Array.from(padded.match(/.{8}/g)!, (b) => parseInt(b, 2));
    assert.equal(new BitReader(bytes).se(), want, `se of code ${k}`);
  }
  const f = new BitReader(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x80]));
  assert.equal(f.bits(4), 0xd);
  assert.equal(f.bits(32), 0xeadbeef8);
  assert.equal(f.bitsLeft, 4);
  assert.throws(() => f.bits(5), ProtocolError);
});

Deno.test("BitReader rejects runaway exp-Golomb codes", () => {
  assert.throws(() => new BitReader(new Uint8Array(8)).ue(), /exp-Golomb/);
});

Deno.test("unescapeRbsp removes emulation prevention bytes only", () => {
  const cases: [string, string][] = [
    ["6764001e", "6764001e"],
    ["0000030100", "00000100"],
    ["00000300000303", "0000000003"],
    ["000003", "0000"],
    ["01000003000003", "0100000000"],
  ];
  for (const [input, want] of cases) assert.equal(toHex(unescapeRbsp(hex(input))), want, input);
});
