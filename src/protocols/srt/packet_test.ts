import assert from "node:assert/strict";
import {
  ControlType,
  decodePacket,
  destinationId,
  encodeControlPacket,
  encodeDataPacket,
  KeyFlag,
  Position,
  setRetransmitted,
} from "./packet.ts";
import { ProtocolError } from "../../core/errors.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, "").match(/../g)!.map((b) => parseInt(b, 16)));

Deno.test("data packets: one table feeds encode and decode", () => {
  const cases = [
    {
      name: "solo, even key, retransmitted",
      pkt: {
        seq: 0x12345678,
        position: Position.Solo,
        inOrder: false,
        key: KeyFlag.Even,
        retransmitted: true,
        msgNo: 7,
        timestamp: 1000,
        destId: 0xdeadbeef,
        payload: hex("4711"),
      },
      wire: "12345678 cc000007 000003e8 deadbeef 4711",
    },
    {
      name: "first of message, in order, odd key, max msgno",
      pkt: {
        seq: 0x7fffffff,
        position: Position.First,
        inOrder: true,
        key: KeyFlag.Odd,
        retransmitted: false,
        msgNo: 0x03ffffff,
        timestamp: 0xffffffff,
        destId: 1,
        payload: new Uint8Array(0),
      },
      wire: "7fffffff b3ffffff ffffffff 00000001",
    },
  ];
  for (const c of cases) {
    const bytes = encodeDataPacket(c.pkt);
    assert.deepEqual(bytes, hex(c.wire), c.name);
    assert.deepEqual(decodePacket(bytes), { control: false, ...c.pkt }, c.name);
    assert.equal(destinationId(bytes), c.pkt.destId);
  }
});

Deno.test("control packets: one table feeds encode and decode", () => {
  const cases = [
    {
      name: "keepalive",
      pkt: {
        type: ControlType.Keepalive,
        subtype: 0,
        info: 0,
        timestamp: 5,
        destId: 9,
        cif: new Uint8Array(0),
      },
      wire: "80010000 00000000 00000005 00000009",
    },
    {
      name: "ackack with ack number",
      pkt: {
        type: ControlType.AckAck,
        subtype: 0,
        info: 42,
        timestamp: 6,
        destId: 9,
        cif: new Uint8Array(0),
      },
      wire: "80060000 0000002a 00000006 00000009",
    },
    {
      name: "user-defined KMREQ",
      pkt: {
        type: ControlType.UserDefined,
        subtype: 3,
        info: 0,
        timestamp: 7,
        destId: 9,
        cif: hex("12202901"),
      },
      wire: "ffff0003 00000000 00000007 00000009 12202901",
    },
  ];
  for (const c of cases) {
    const bytes = encodeControlPacket(c.pkt);
    assert.deepEqual(bytes, hex(c.wire), c.name);
    assert.deepEqual(decodePacket(bytes), { control: true, ...c.pkt }, c.name);
  }
});

Deno.test("short datagrams are a ProtocolError", () => {
  for (const n of [0, 1, 15]) assert.throws(() => decodePacket(new Uint8Array(n)), ProtocolError);
});

Deno.test("setRetransmitted toggles only the R bit", () => {
  const bytes = encodeDataPacket({
    seq: 1,
    position: Position.Solo,
    inOrder: false,
    key: KeyFlag.None,
    retransmitted: false,
    msgNo: 3,
    timestamp: 0,
    destId: 0,
    payload: new Uint8Array(4),
  });
  setRetransmitted(bytes, true);
  const p = decodePacket(bytes);
  assert.ok(!p.control && p.retransmitted && p.msgNo === 3 && p.position === Position.Solo);
  setRetransmitted(bytes, false);
  const q = decodePacket(bytes);
  assert.ok(!q.control && !q.retransmitted);
});
