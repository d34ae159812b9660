import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { ChunkReader, type RtmpMessage } from "./chunk_stream.ts";
import {
  ackMessage,
  MessageType,
  parseSetChunkSize,
  parseSetPeerBandwidth,
  parseU32Message,
  parseUserControl,
  setChunkSizeMessage,
  setPeerBandwidthMessage,
  splitAggregate,
  UserControl,
  userControlMessage,
  windowAckSizeMessage,
} from "./messages.ts";

function decode(bytes: Uint8Array): RtmpMessage {
  const got: RtmpMessage[] = [];
  new ChunkReader((m) => got.push(m)).push(bytes);
  assert.equal(got.length, 1);
  assert.equal(got[0].csid, 2);
  assert.equal(got[0].streamId, 0);
  return got[0];
}

const cases = [
  { name: "Set Chunk Size", bytes: setChunkSizeMessage(4096), type: MessageType.setChunkSize, value: 4096 },
  { name: "Acknowledgement", bytes: ackMessage(0xfffffff0), type: MessageType.ack, value: 0xfffffff0 },
  {
    name: "Window Ack Size",
    bytes: windowAckSizeMessage(2500000),
    type: MessageType.windowAckSize,
    value: 2500000,
  },
];
for (const c of cases) {
  Deno.test(`control message round trip: ${c.name}`, () => {
    const m = decode(c.bytes);
    assert.equal(m.type, c.type);
    const v = c.type === MessageType.setChunkSize
      ? parseSetChunkSize(m.payload)
      : parseU32Message(m.payload, c.name);
    assert.equal(v, c.value);
  });
}

Deno.test("control message round trip: Set Peer Bandwidth", () => {
  const m = decode(setPeerBandwidthMessage(5000000, 2));
  assert.equal(m.type, MessageType.setPeerBandwidth);
  assert.deepEqual(parseSetPeerBandwidth(m.payload), { size: 5000000, limit: 2 });
});

const userControl = [
  { name: "StreamBegin", event: UserControl.streamBegin, value: 1, extra: undefined },
  { name: "StreamEOF", event: UserControl.streamEof, value: 1, extra: undefined },
  { name: "PingRequest", event: UserControl.pingRequest, value: 123456, extra: undefined },
  { name: "SetBufferLength", event: UserControl.setBufferLength, value: 1, extra: 3000 },
];
for (const c of userControl) {
  Deno.test(`user control round trip: ${c.name}`, () => {
    const m = decode(userControlMessage(c.event, c.value, c.extra));
    assert.equal(m.type, MessageType.userControl);
    assert.deepEqual(parseUserControl(m.payload), { event: c.event, value: c.value, extra: c.extra });
  });
}

Deno.test("Set Chunk Size of 0 and short payloads are ProtocolErrors", () => {
  assert.throws(() => parseSetChunkSize(new Uint8Array(4)), /chunk size 0 is invalid/);
  assert.throws(() => parseSetChunkSize(new Uint8Array(2)), ProtocolError);
  assert.throws(() => parseUserControl(new Uint8Array(1)), ProtocolError);
  assert.throws(() => setChunkSizeMessage(0), ProtocolError);
});

Deno.test("aggregate message: sub-messages rebased on the aggregate timestamp", () => {
  const tag = (type: number, ts: number, body: number[]) => [
    type,
    0,
    0,
    body.length,
    (ts >> 16) & 0xff,
    (ts >> 8) & 0xff,
    ts & 0xff,
    0,
    0,
    0,
    0,
    ...body,
    0,
    0,
    0,
    11 + body.length,
  ];
  const payload = new Uint8Array([...tag(9, 5000, [1, 2]), ...tag(8, 5020, [3])]);
  const parts = splitAggregate(payload, 100);
  assert.deepEqual(parts.map((p) => [p.type, p.timestamp, Array.from(p.payload)]), [[9, 100, [1, 2]], [
    8,
    120,
    [3],
  ]]);
  assert.throws(() => splitAggregate(payload.subarray(0, 12), 0), /overruns/);
});
