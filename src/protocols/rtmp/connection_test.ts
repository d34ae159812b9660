import assert from "node:assert/strict";
import { nullLogger } from "../../log/mod.ts";
import { chunkMessage, ChunkReader, type RtmpMessage } from "./chunk_stream.ts";
import { RtmpConnection } from "./connection.ts";
import {
  MessageType,
  parseU32Message,
  parseUserControl,
  setChunkSizeMessage,
  UserControl,
  userControlMessage,
  windowAckSizeMessage,
} from "./messages.ts";

/** A connected pair: our RtmpConnection on one end, a raw socket on the other. */
async function pair(onMessage: (m: RtmpMessage) => void) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const peer = await Deno.connect({ hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port });
  const conn = await listener.accept();
  listener.close();
  const rc = new RtmpConnection(conn, { log: nullLogger, onMessage });
  const done = rc.run();
  const received: RtmpMessage[] = [];
  const reader = new ChunkReader((m) => received.push(m));
  const reading = (async () => {
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await peer.read(buf).catch(() => null);
      if (n === null) return;
      reader.push(buf.subarray(0, n));
    }
  })();
  return { rc, peer, done, received, reading };
}

async function until(fn: () => boolean, ms = 2000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("connection: acknowledges each window of received bytes, applies Set Chunk Size, answers pings", async () => {
  const got: RtmpMessage[] = [];
  const { rc, peer, done, received, reading } = await pair((m) => {
    got.push(m);
  });
  const body = new Uint8Array(3000);
  await peer.write(windowAckSizeMessage(1000));
  await peer.write(setChunkSizeMessage(4096));
  await peer.write(
    chunkMessage({ csid: 6, type: MessageType.video, streamId: 1, timestamp: 1, payload: body }, {
      chunkSize: 4096,
    }),
  );
  await peer.write(userControlMessage(UserControl.pingRequest, 77));
  await until(() => got.length === 1 && received.some((m) => m.type === MessageType.userControl));
  assert.equal(got[0].payload.byteLength, 3000);
  const acks = received.filter((m) => m.type === MessageType.ack).map((m) =>
    parseU32Message(m.payload, "ack")
  );
  assert.ok(acks.length >= 1 && acks.every((a) => a >= 1000), `acks ${acks}`);
  const pong = parseUserControl(received.find((m) => m.type === MessageType.userControl)!.payload);
  assert.deepEqual(pong, { event: UserControl.pingResponse, value: 77, extra: undefined });
  peer.close();
  assert.equal(await done, "peer closed the connection");
  await reading;
  assert.equal(rc.closed, true);
});

Deno.test("connection: a protocol error ends the connection with its message", async () => {
  const { peer, done, reading } = await pair(() => {});
  await peer.write(new Uint8Array([0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
  assert.match(await done, /chunk size 0 is invalid/);
  await reading;
  peer.close();
});

Deno.test("connection: sends never interleave and resolve after a close", async () => {
  const { rc, peer, done, received, reading } = await pair(() => {});
  const sends = [];
  for (let i = 0; i < 20; i++) {
    const payload = new Uint8Array(5000).fill(i);
    sends.push(
      rc.send(chunkMessage({ csid: 6, type: 9, streamId: 1, timestamp: i, payload }, { chunkSize: 128 })),
    );
  }
  await Promise.all(sends);
  await until(() => received.length === 20);
  assert.ok(received.every((m, i) => m.timestamp === i && m.payload.every((b) => b === i)));
  rc.close("test over");
  await rc.send(new Uint8Array(1)); // resolves, never rejects
  assert.equal(await done, "test over");
  peer.close();
  await reading;
});
