import assert from "node:assert/strict";
import { openTcpSend, tcpSendUnavailable } from "./tcp_send.ts";

async function pair() {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: (l.addr as Deno.NetAddr).port });
  const server = await l.accept();
  l.close();
  return { client, server };
}

async function readN(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let o = 0;
  while (o < n) {
    const r = await conn.read(out.subarray(o));
    if (r === null) throw new Error(`closed after ${o} of ${n} bytes`);
    o += r;
  }
  return out;
}

Deno.test("tcp send: bytes of a view (not its whole buffer) arrive in order, mixed with conn.write", async () => {
  assert.equal(tcpSendUnavailable(), undefined, "these tests run on Linux with --allow-ffi");
  const { client, server } = await pair();
  try {
    const s = openTcpSend(server)!;
    assert.ok(s, "the connection's descriptor is readable");
    const big = new Uint8Array(1000).map((_, i) => i & 0xff);
    assert.equal(s.send(big.subarray(10, 20)), 10);
    await server.write(new TextEncoder().encode("|"));
    assert.equal(s.send(big.subarray(500, 503)), 3);
    const got = await readN(client, 14);
    assert.deepEqual([...got], [...big.subarray(10, 20), 0x7c, ...big.subarray(500, 503)]);
    assert.equal(s.whole, 2);
    s.close();
    assert.equal(s.send(big), -1, "closed: nothing is sent");
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("tcp send: a full send buffer takes part or nothing (no blocking); the rest arrives by conn.write", async () => {
  const { client, server } = await pair();
  try {
    const s = openTcpSend(server)!;
    const chunk = new Uint8Array(256 * 1024).map((_, i) => (i * 7) & 0xff);
    let sent = 0, calls = 0, last = -1;
    // The reader does not read: the kernel's buffers fill and a send takes less than asked.
    while (calls < 200) {
      last = s.send(chunk);
      calls++;
      sent += last;
      if (last < chunk.byteLength) break;
    }
    assert.ok(last < chunk.byteLength, `${calls} sends of 256 KiB all went whole`);
    assert.equal(s.partial, 1);
    const rest = chunk.subarray(last);
    const writing = (async () => {
      let o = 0;
      while (o < rest.length) o += await server.write(rest.subarray(o));
    })();
    const total = sent + rest.length;
    const got = await readN(client, total);
    await writing;
    // Every byte in order: the stream is whole copies of `chunk`, the last one cut where send stopped.
    for (let i = 0; i < total; i += 4099) assert.equal(got[i], chunk[i % chunk.length], `byte ${i}`);
    assert.equal(got[total - 1], chunk[(total - 1) % chunk.length]);
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("tcp send: once the connection is closed (by anyone) it sends nothing, so the descriptor number's next file is never reached", async () => {
  const { client, server } = await pair();
  const s = openTcpSend(server)!;
  const t = openTcpSend(server)!; // a second sender on the same connection (keep-alive, then a live body)
  server.close();
  // The runtime's old descriptor number may now be this new connection's.
  const other = await pair();
  try {
    assert.equal(s.send(new TextEncoder().encode("late")), -1);
    assert.equal(t.send(new TextEncoder().encode("late")), -1);
    const buf = new Uint8Array(8);
    assert.equal(await client.read(buf), null, "the peer saw the end");
    await other.server.write(new TextEncoder().encode("ok"));
    assert.equal(new TextDecoder().decode(await readN(other.client, 2)), "ok", "nothing else arrived first");
  } finally {
    client.close();
    other.client.close();
    other.server.close();
  }
});

Deno.test("tcp send: not for TLS connections", () => {
  const fake = { handshake: () => Promise.resolve({}), close() {} } as unknown as Deno.Conn;
  assert.equal(openTcpSend(fake), undefined);
});

Deno.test("tcp send: a peer that has gone gives 0 and an errno, never a throw or a signal", async () => {
  const { client, server } = await pair();
  const s = openTcpSend(server)!;
  client.close();
  await new Promise((r) => setTimeout(r, 50));
  const bytes = new Uint8Array(64 * 1024);
  let n = 0;
  for (let i = 0; i < 20; i++) n = s.send(bytes);
  assert.equal(n, 0);
  assert.ok(s.lastErrno > 0, "EPIPE or ECONNRESET recorded");
  s.close();
  server.close();
});
