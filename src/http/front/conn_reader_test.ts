import assert from "node:assert/strict";
import { ConnReader, SMALL_BUFFER } from "./conn_reader.ts";

/** A connection whose reads resolve when the test hands over bytes. */
function handConn() {
  const waiting: ((b: Uint8Array | null) => void)[] = [];
  const conn = {
    read(buf: Uint8Array): Promise<number | null> {
      return new Promise((resolve) =>
        waiting.push((b) => {
          if (b === null) return resolve(null);
          buf.set(b);
          resolve(b.length);
        })
      );
    },
    give(b: Uint8Array | null) {
      waiting.shift()!(b);
    },
  };
  return conn as unknown as Deno.Conn & typeof conn;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("ConnReader: consuming everything while a read is in flight keeps that read's bytes (no stale bytes)", async () => {
  // The HTTP front's watch for a leaving client keeps a read pending while the body is drained:
  // a rewind of the buffer under that read made the next request line parse stale bytes.
  const conn = handConn();
  const r = new ConnReader(conn);
  const first = r.fill();
  conn.give(bytes("POST /admin/api/stream?cmd=kick HTTP/1.1\r\n\r\n{}"));
  await first;
  const pending = r.fill(); // the watch's read
  r.consume(r.buffered.length); // the body drained, the buffer empty
  conn.give(bytes("POST /next HTTP/1.1\r\n"));
  assert.equal(await pending, true);
  assert.equal(text(r.buffered), "POST /next HTTP/1.1\r\n");
  r.consume(r.buffered.length);
  const again = r.fill();
  conn.give(bytes("abc"));
  await again;
  assert.equal(text(r.buffered), "abc", "rewound before the next read");
  assert.equal(text(r.take(2)), "ab");
  assert.equal(text(r.buffered), "c");
});

Deno.test("ConnReader: starts small, grows while reads fill it, and shrink() gives a grown buffer back", async () => {
  const conn = handConn();
  const r = new ConnReader(conn);
  assert.equal(r.capacity, SMALL_BUFFER);
  // An upload: each read fills the free space, so the next read gets a bigger buffer.
  const big = new Uint8Array(SMALL_BUFFER).fill(0x61);
  let p = r.fill();
  conn.give(big);
  await p;
  r.consume(r.buffered.length);
  p = r.fill();
  conn.give(big);
  await p;
  assert.equal(r.capacity, 2 * SMALL_BUFFER, "a read that filled the buffer doubles it for the next");
  // Nothing buffered and no read in flight: the grown buffer goes.
  r.consume(r.buffered.length);
  r.shrink();
  assert.equal(r.capacity, SMALL_BUFFER);
  // Bytes still buffered (a pipelined request) are never dropped.
  p = r.fill();
  conn.give(bytes("GET / HTTP/1.1\r\n"));
  await p;
  r.shrink();
  assert.equal(text(r.buffered), "GET / HTTP/1.1\r\n");
});

Deno.test("ConnReader: a head larger than the buffer is read whole (the buffer grows when full)", async () => {
  const conn = handConn();
  const r = new ConnReader(conn);
  const head = "GET / HTTP/1.1\r\ncookie: " + "x".repeat(3 * SMALL_BUFFER) + "\r\n\r\n";
  const all = bytes(head);
  let off = 0;
  while (off < all.length) {
    const p = r.fill();
    const room = r.capacity - r.buffered.length;
    const n = Math.min(room, all.length - off);
    conn.give(all.subarray(off, off + n));
    await p;
    off += n;
  }
  assert.equal(text(r.buffered), head);
});
