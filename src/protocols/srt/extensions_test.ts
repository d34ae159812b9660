import assert from "node:assert/strict";
import {
  decodeHsReq,
  decodeKmState,
  decodeStringExt,
  encodeHsReq,
  encodeKmState,
  encodeStringExt,
  type HsReq,
  KmState,
  LIVE_FLAGS,
} from "./extensions.ts";
import { ProtocolError } from "../../core/errors.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, "").match(/../g)!.map((b) => parseInt(b, 16)));

Deno.test("HSREQ: receiver delay in the upper half-word", () => {
  const cases: { h: HsReq; wire: string }[] = [
    {
      h: { version: 0x010404, flags: 0xbf, recvDelayMs: 120, sendDelayMs: 0 },
      wire: "00010404 000000bf 00780000",
    },
    {
      h: { version: 0x010500, flags: LIVE_FLAGS, recvDelayMs: 200, sendDelayMs: 120 },
      wire: "00010500 0000003f 00c80078",
    },
  ];
  for (const c of cases) {
    assert.deepEqual(encodeHsReq(c.h), hex(c.wire));
    assert.deepEqual(decodeHsReq(hex(c.wire)), c.h);
  }
  assert.throws(() => decodeHsReq(new Uint8Array(8)), ProtocolError);
});

Deno.test("string extensions: each word's bytes reversed, zero padded", () => {
  const cases: [string, string][] = [
    ["abcdefg", "64636261 00676665"],
    ["STREAM", "45525453 00004d41"],
    ["live", "6576696c"],
    ["#!::r=live/feed,m=publish", "3a3a2123 696c3d72 662f6576 2c646565 75703d6d 73696c62 00000068"],
  ];
  for (const [s, wire] of cases) {
    assert.deepEqual(encodeStringExt(s), hex(wire), s);
    assert.equal(decodeStringExt(hex(wire)), s, s);
  }
});

Deno.test("the one-word KM state is little-endian", () => {
  assert.deepEqual(encodeKmState(KmState.BadSecret), hex("04000000"));
  assert.equal(decodeKmState(hex("03000000")), KmState.NoSecret);
});
