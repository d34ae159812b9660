import assert from "node:assert/strict";
import {
  decodeHandshake,
  encodeHandshake,
  encodePeerIp,
  ExtFlag,
  type Handshake,
  HandshakeType,
  rejectionReason,
  rejectionType,
  RejectReason,
  rejectReasonText,
  SRT_MAGIC,
} from "./handshake.ts";
import { ProtocolError } from "../../core/errors.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, "").match(/../g)!.map((b) => parseInt(b, 16)));

const cases: { name: string; hs: Handshake; wire: string }[] = [
  {
    name: "caller induction",
    hs: {
      version: 4,
      encryption: 0,
      extensionField: 2,
      isn: 0x11223344,
      mtu: 1500,
      flowWindow: 8192,
      type: HandshakeType.Induction,
      socketId: 0x0a0b0c0d,
      cookie: 0,
      peerIp: encodePeerIp("127.0.0.1"),
      extensions: [],
    },
    wire: "00000004 0000 0002 11223344 000005dc 00002000 00000001 0a0b0c0d 00000000" +
      "0100007f 00000000 00000000 00000000",
  },
  {
    name: "listener induction response",
    hs: {
      version: 5,
      encryption: 2,
      extensionField: SRT_MAGIC,
      isn: 1,
      mtu: 1500,
      flowWindow: 8192,
      type: HandshakeType.Induction,
      socketId: 7,
      cookie: 0xcafef00d,
      peerIp: encodePeerIp("192.168.1.10"),
      extensions: [],
    },
    wire: "00000005 0002 4a17 00000001 000005dc 00002000 00000001 00000007 cafef00d" +
      "0a01a8c0 00000000 00000000 00000000",
  },
  {
    name: "conclusion with two extensions",
    hs: {
      version: 5,
      encryption: 0,
      extensionField: ExtFlag.HsReq | ExtFlag.Config,
      isn: 5,
      mtu: 1500,
      flowWindow: 8192,
      type: HandshakeType.Conclusion,
      socketId: 7,
      cookie: 9,
      peerIp: new Uint8Array(16),
      extensions: [{ type: 1, data: hex("00010500 000000bf 00780000") }, { type: 5, data: hex("64636261") }],
    },
    wire: "00000005 0000 0005 00000005 000005dc 00002000 ffffffff 00000007 00000009" +
      "00000000 00000000 00000000 00000000" +
      "0001 0003 00010500 000000bf 00780000 0005 0001 64636261",
  },
];

Deno.test("handshake CIF: one table feeds encode and decode", () => {
  for (const c of cases) {
    assert.deepEqual(encodeHandshake(c.hs), hex(c.wire), c.name);
    assert.deepEqual(decodeHandshake(hex(c.wire)), c.hs, c.name);
  }
});

Deno.test("malformed handshakes are a ProtocolError", () => {
  const base = hex(cases[0].wire);
  const bad: [string, Uint8Array][] = [
    ["short CIF", base.subarray(0, 40)],
    ["truncated extension header", new Uint8Array([...base, 0, 1])],
    ["extension longer than the packet", new Uint8Array([...base, 0, 1, 0, 9, 1, 2, 3, 4])],
  ];
  for (const [name, bytes] of bad) assert.throws(() => decodeHandshake(bytes), ProtocolError, name);
});

Deno.test("peer IPv6 words are byte-reversed like libsrt's", () => {
  assert.deepEqual(encodePeerIp("::1"), hex("00000000 00000000 00000000 01000000"));
  assert.deepEqual(encodePeerIp("2001:db8::2"), hex("b80d0120 00000000 00000000 02000000"));
  assert.deepEqual(encodePeerIp("not an ip"), new Uint8Array(16));
});

Deno.test("rejection types are 1000 + reason", () => {
  const table: [number, number][] = [
    [RejectReason.BadSecret, 1010],
    [RejectReason.Version, 1008],
    [RejectReason.Forbidden, 2403],
    [RejectReason.NotFound, 2404],
    [RejectReason.Conflict, 2409],
  ];
  for (const [reason, wire] of table) {
    assert.equal(rejectionType(reason), wire);
    assert.equal(rejectionReason(wire), reason);
  }
  assert.equal(rejectionReason(HandshakeType.Conclusion), undefined);
  assert.equal(rejectionReason(HandshakeType.Induction), undefined);
  assert.equal(rejectReasonText(1010 - 1000), "wrong passphrase");
  assert.equal(rejectReasonText(1403), "forbidden");
});
