import assert from "node:assert/strict";
import { ConnReader } from "./conn_reader.ts";

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
