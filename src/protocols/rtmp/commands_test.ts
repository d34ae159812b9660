import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { encodeAmf0, encodeAmf3 } from "../../formats/amf/mod.ts";
import { ChunkReader, type RtmpMessage } from "./chunk_stream.ts";
import {
  connectResultMessage,
  onStatusMessage,
  parseCommand,
  sampleAccessMessage,
  Status,
} from "./commands.ts";
import { MessageType } from "./messages.ts";

const msg = (type: number, payload: Uint8Array, streamId = 0): RtmpMessage => ({
  csid: 3,
  type,
  streamId,
  timestamp: 0,
  payload,
});

function decodeAll(bytes: Uint8Array): RtmpMessage[] {
  const got: RtmpMessage[] = [];
  const r = new ChunkReader((m) => got.push(m));
  r.setChunkSize(4096);
  r.push(bytes);
  return got;
}

const parseCases = [
  {
    name: "AMF0 connect",
    m: msg(MessageType.commandAmf0, encodeAmf0("connect", 1, { app: "live", tcUrl: "rtmp://h/live" })),
    want: {
      name: "connect",
      transactionId: 1,
      object: { app: "live", tcUrl: "rtmp://h/live" },
      args: [],
      streamId: 0,
    },
  },
  {
    name: "AMF0 publish on stream 1",
    m: msg(MessageType.commandAmf0, encodeAmf0("publish", 5, null, "cam?token=x", "live"), 1),
    want: { name: "publish", transactionId: 5, object: null, args: ["cam?token=x", "live"], streamId: 1 },
  },
  {
    name: "AMF3 command (type 17: 0x00 then AMF0 with an avmplus value)",
    m: msg(
      MessageType.commandAmf3,
      new Uint8Array([0, ...encodeAmf0("play", 0, null), 0x11, ...encodeAmf3("cam")]),
      1,
    ),
    want: { name: "play", transactionId: 0, object: null, args: ["cam"], streamId: 1 },
  },
];
for (const c of parseCases) {
  Deno.test(`parseCommand: ${c.name}`, () => {
    assert.deepEqual(parseCommand(c.m), c.want);
  });
}

Deno.test("parseCommand: a command that is not led by a name is a ProtocolError", () => {
  assert.throws(() => parseCommand(msg(MessageType.commandAmf0, encodeAmf0(1, 2))), ProtocolError);
});

Deno.test("connect _result is shaped like FMS (fmsVer, capabilities, Connect.Success)", () => {
  const [m] = decodeAll(
    connectResultMessage({ chunkSize: 4096 }, 1, { objectEncoding: 0, fourCcList: ["hvc1"] }),
  );
  const c = parseCommand(m);
  assert.equal(c.name, "_result");
  assert.equal(c.transactionId, 1);
  const props = c.object as Record<string, unknown>;
  assert.equal(props.fmsVer, "FMS/3,5,3,888");
  assert.deepEqual(props.fourCcList, ["hvc1"]);
  const info = c.args[0] as Record<string, unknown>;
  assert.equal(info.code, Status.connectSuccess);
  assert.equal(info.level, "status");
});

Deno.test("onStatus and |RtmpSampleAccess go on the play stream", () => {
  const [status, access] = decodeAll(
    new Uint8Array([
      ...onStatusMessage({ chunkSize: 4096 }, 1, "error", Status.playStreamNotFound, "no such stream"),
      ...sampleAccessMessage({ chunkSize: 4096 }, 1),
    ]),
  );
  const c = parseCommand(status);
  assert.equal(c.streamId, 1);
  assert.deepEqual(c.args[0], {
    level: "error",
    code: Status.playStreamNotFound,
    description: "no such stream",
  });
  assert.equal(access.type, MessageType.dataAmf0);
  assert.equal(access.streamId, 1);
});
