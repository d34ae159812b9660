import assert from "node:assert/strict";
import { LiveBody } from "./live_body.ts";

/** A connection whose writes take at most `max` bytes and settle when the test says so. */
function slowConn(max: number) {
  const calls: { bytes: Uint8Array; done: (n: number) => void; fail: (e: Error) => void }[] = [];
  let closed = false;
  const conn = {
    calls,
    get closed() {
      return closed;
    },
    write(b: Uint8Array): Promise<number> {
      return new Promise((done, fail) =>
        calls.push({ bytes: b.slice(), done: () => done(Math.min(max, b.length)), fail })
      );
    },
    close() {
      closed = true;
    },
  };
  return conn as unknown as Deno.Conn & typeof conn;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("LiveBody: writes wait for the head, then each write is one conn.write of the shared bytes", async () => {
  const conn = slowConn(1 << 20);
  const body = new LiveBody(conn);
  const shared = new Uint8Array([1, 2, 3]);
  const first = body.write(shared);
  await tick();
  assert.equal(conn.calls.length, 0, "nothing before the head is out");
  body.open();
  await tick();
  assert.equal(conn.calls.length, 1);
  conn.calls[0].done(3);
  await first;
  const second = body.write(shared);
  assert.equal(conn.calls.length, 2, "after the head, a write goes out at once");
  conn.calls[1].done(3);
  await second;
  assert.equal(body.bytes, 6);
});

Deno.test("LiveBody: a partial write sends the rest before settling", async () => {
  const conn = slowConn(2);
  const body = new LiveBody(conn);
  body.open();
  const p = body.write(new Uint8Array([1, 2, 3, 4, 5]));
  for (let i = 0; i < 3; i++) {
    await tick();
    conn.calls[i].done(0);
  }
  await p;
  assert.deepEqual(conn.calls.map((c) => [...c.bytes]), [[1, 2, 3, 4, 5], [3, 4, 5], [5]]);
});

Deno.test("LiveBody: close waits for the write in flight, then ends the connection with the reason", async () => {
  const conn = slowConn(1 << 20);
  const body = new LiveBody(conn);
  body.open();
  const p = body.write(new Uint8Array(10));
  body.close("stream ended");
  await tick();
  assert.equal(conn.closed, false, "the write in flight goes out first");
  conn.calls[0].done(10);
  await p;
  assert.equal(await body.closed, "stream ended");
  assert.equal(conn.closed, true);
  await assert.rejects(body.write(new Uint8Array(1)), /response closed/);
});

Deno.test("LiveBody: a failed write rejects (the fan-out drops the player) and close still ends", async () => {
  const conn = slowConn(1 << 20);
  const body = new LiveBody(conn);
  body.open();
  const p = body.write(new Uint8Array(4));
  conn.calls[0].fail(new Error("broken pipe"));
  await assert.rejects(p, /broken pipe/);
  body.close("write failed");
  assert.equal(await body.closed, "write failed");
});
