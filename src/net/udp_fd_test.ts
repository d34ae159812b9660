import assert from "node:assert/strict";
import dgram from "node:dgram";
import {
  BATCH_MAX,
  nextFdHint,
  openDatagramFd,
  openUdpFd,
  sockaddrIn,
  udpBatch,
  udpFdUnavailable,
} from "./udp_fd.ts";

async function boundSocket(): Promise<dgram.Socket> {
  const sock = dgram.createSocket("udp4");
  sock.bind(0, "127.0.0.1");
  await new Promise((r) => sock.once("listening", r));
  return sock;
}

async function receive(conn: Deno.DatagramConn, n: number): Promise<[Uint8Array, Deno.NetAddr][]> {
  const got: [Uint8Array, Deno.NetAddr][] = [];
  while (got.length < n) {
    const [data, from] = await conn.receive();
    got.push([data, from as Deno.NetAddr]);
  }
  return got;
}

Deno.test("sockaddrIn: an IPv4 address and port as sockaddr_in; anything else undefined", () => {
  const sa = sockaddrIn("127.0.0.1", 0x1234)!;
  assert.deepEqual([...sa.subarray(0, 8)], [2, 0, 0x12, 0x34, 127, 0, 0, 1]);
  assert.equal(sa.length, 16);
  for (
    const [h, p] of [["::1", 5000], ["256.0.0.1", 5000], ["localhost", 5000], ["10.0.0.1", 0], [
      "1.2.3.4",
      70000,
    ]]
  ) {
    assert.equal(sockaddrIn(h as string, p as number), undefined, `${h}:${p}`);
  }
});

Deno.test("UdpFd: sendto on the dgram socket's descriptor — the socket's source port, the bytes asked for, buffer reusable at once", async () => {
  assert.equal(udpFdUnavailable(), undefined, "tests run on Linux with every permission");
  const sink = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const sock = await boundSocket();
  try {
    const fd = openUdpFd(sock)!;
    assert.ok(fd);
    const to = sockaddrIn("127.0.0.1", (sink.addr as Deno.NetAddr).port)!;
    const buf = new Uint8Array(2000);
    for (let i = 0; i < 3; i++) {
      buf.fill(i + 1);
      assert.equal(fd.sendTo(buf, 100 + i, to), true);
    }
    const got = await receive(sink, 3);
    for (const [i, [data, from]] of got.entries()) {
      assert.equal(data.length, 100 + i);
      assert.ok(data.every((b) => b === i + 1), `datagram ${i} carries its own bytes`);
      assert.equal(from.port, sock.address().port, "from the dgram socket's port");
    }
    assert.equal(fd.sent, 3);
    assert.equal(fd.errors, 0);
    // Once the dgram socket is closed, nothing more is sent and the duplicate is closed.
    sock.close();
    assert.equal(fd.sendTo(buf, 10, to), false);
    assert.equal(fd.open, false);
  } finally {
    sink.close();
  }
});

Deno.test("UdpFd: close() lets the port go (the duplicate no longer holds the socket)", async () => {
  const sock = await boundSocket();
  const port = sock.address().port;
  const fd = openUdpFd(sock)!;
  sock.close();
  fd.close();
  fd.close(); // idempotent
  // node:dgram lets its socket go once its pending receive has ended.
  await new Promise((r) => setTimeout(r, 100));
  const again = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
  again.close();
});

Deno.test("openUdpFd: undefined for what is not a node:dgram socket", () => {
  for (const v of [undefined, null, {}, { type: "udp4" }, 5]) assert.equal(openUdpFd(v), undefined);
});

Deno.test("UdpBatch: one sendmmsg per destination's run of datagrams, in order, at the latest in a microtask", async () => {
  const batch = udpBatch()!;
  assert.ok(batch);
  const sinkA = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const sinkB = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const sock = await boundSocket();
  try {
    const fd = openUdpFd(sock)!;
    const toA = sockaddrIn("127.0.0.1", (sinkA.addr as Deno.NetAddr).port)!;
    const toB = sockaddrIn("127.0.0.1", (sinkB.addr as Deno.NetAddr).port)!;
    const put = (to: Uint8Array, len: number, fill: number) => {
      const at = batch.reserve(fd, to, len);
      assert.ok(at >= 0);
      batch.buf.fill(fill, at, at + len);
      batch.commit(len);
    };
    batch.flush();
    const f0 = batch.flushes, d0 = batch.datagrams;
    // A, A, A, then B (A's three go in one call), B: left for the microtask.
    for (let i = 0; i < 3; i++) put(toA, 100 + i, i + 1);
    put(toB, 50, 9);
    put(toB, 51, 10);
    assert.equal(batch.flushes - f0, 1, "A's three datagrams went when B's began");
    await Promise.resolve();
    assert.equal(batch.flushes - f0, 2, "B's went in the microtask");
    assert.equal(batch.datagrams - d0, 5);
    const a = await receive(sinkA, 3), b = await receive(sinkB, 2);
    assert.deepEqual(a.map(([d]) => [d.length, d[0], d[d.length - 1]]), [[100, 1, 1], [101, 2, 2], [
      102,
      3,
      3,
    ]]);
    assert.deepEqual(b.map(([d]) => [d.length, d[0]]), [[50, 9], [51, 10]]);
    assert.ok(a.every(([, from]) => from.port === sock.address().port));
    // More than a batch holds: several calls, every datagram out.
    for (let i = 0; i < BATCH_MAX + 6; i++) put(toA, 20, i & 0xff);
    batch.flush();
    assert.equal((await receive(sinkA, BATCH_MAX + 6)).length, BATCH_MAX + 6);
    // Pending datagrams of a descriptor go before it closes; then it takes none.
    put(toB, 30, 7);
    fd.close();
    assert.deepEqual((await receive(sinkB, 1)).map(([d]) => d.length), [30]);
    assert.equal(batch.reserve(fd, toB, 30), -1);
    assert.equal(fd.sent, 5 + BATCH_MAX + 6 + 1);
    assert.equal(fd.errors, 0);
  } finally {
    sock.close();
    sinkA.close();
    sinkB.close();
  }
});

Deno.test("UdpBatch: datagrams pending when the dgram socket closes are dropped, and its duplicate closed", async () => {
  const batch = udpBatch()!;
  const sink = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const sock = await boundSocket();
  try {
    const fd = openUdpFd(sock)!;
    const to = sockaddrIn("127.0.0.1", (sink.addr as Deno.NetAddr).port)!;
    batch.flush();
    const d0 = batch.datagrams;
    const at = batch.reserve(fd, to, 40);
    assert.ok(at >= 0);
    batch.commit(40);
    sock.close();
    batch.flush();
    assert.equal(batch.datagrams, d0, "nothing sent on a closed socket");
    assert.equal(fd.open, false);
    assert.equal(batch.reserve(fd, to, 40), -1);
    fd.close();
  } finally {
    sink.close();
  }
});

Deno.test("openDatagramFd: sendto on a Deno.DatagramConn's own descriptor; its close stops the sender first", async () => {
  const sink = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  // Another UDP socket and a TCP listener are open beside it: the right descriptor is found by address.
  const other = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const conn = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const tcp = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const fd = openDatagramFd(conn)!;
    assert.ok(fd, "found");
    const to = sockaddrIn("127.0.0.1", (sink.addr as Deno.NetAddr).port)!;
    const buf = new Uint8Array(1200).fill(5);
    assert.equal(fd.sendTo(buf, 1200, to), true);
    const [[data, from]] = await receive(sink, 1);
    assert.equal(data.length, 1200);
    assert.ok(data.every((b) => b === 5));
    assert.equal(from.port, (conn.addr as Deno.NetAddr).port, "from the conn's port, not another socket's");
    conn.close();
    assert.equal(fd.open, false, "the conn's close stopped the sender");
    assert.equal(fd.sendTo(buf, 10, to), false);
    // The wrapped close still closes the conn itself.
    await assert.rejects(conn.send(buf, sink.addr), Deno.errors.BadResource);
  } finally {
    sink.close();
    other.close();
    tcp.close();
  }
});

Deno.test("openDatagramFd: a conn bound to an IPv6 address is left to the ordinary send", () => {
  let conn: Deno.DatagramConn;
  try {
    conn = Deno.listenDatagram({ transport: "udp", hostname: "::1", port: 0 });
  } catch (err) {
    throw new Error(`this machine has no IPv6 loopback for the test: ${(err as Error).message}`);
  }
  try {
    assert.equal(openDatagramFd(conn), undefined);
  } finally {
    conn.close();
  }
});

Deno.test("openDatagramFd: with nextFdHint taken before the bind the hinted descriptor is it; a wrong hint falls back to looking at all", async () => {
  const sink = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const hint = nextFdHint();
  assert.ok(hint >= 0);
  const a = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const b = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    // b's hint is a's descriptor: wrong, and b's own is still found.
    const fa = openDatagramFd(a, hint)!, fb = openDatagramFd(b, hint)!;
    const to = sockaddrIn("127.0.0.1", (sink.addr as Deno.NetAddr).port)!;
    assert.equal(fa.sendTo(new Uint8Array([1]), 1, to), true);
    assert.equal(fb.sendTo(new Uint8Array([2]), 1, to), true);
    const got = await receive(sink, 2);
    const port = (d: Uint8Array) => got.find(([x]) => x[0] === d[0])![1].port;
    assert.equal(port(new Uint8Array([1])), (a.addr as Deno.NetAddr).port);
    assert.equal(port(new Uint8Array([2])), (b.addr as Deno.NetAddr).port);
  } finally {
    sink.close();
    a.close();
    b.close();
  }
});
