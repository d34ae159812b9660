import assert from "node:assert/strict";
import dgram from "node:dgram";
import { udpHandle } from "./udp_send.ts";

async function boundSocket(): Promise<dgram.Socket> {
  const sock = dgram.createSocket("udp4");
  sock.bind(0, "127.0.0.1");
  await new Promise((r) => sock.once("listening", r));
  return sock;
}

Deno.test("udpHandle: undefined for what is not a node:dgram socket", () => {
  for (const v of [undefined, null, {}, { type: "udp4" }, 5]) assert.equal(udpHandle(v), undefined);
});

Deno.test("udpHandle: the socket's UDP handle sends from its port and copies the bytes before returning", async () => {
  const sink = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const sock = await boundSocket();
  try {
    const h = udpHandle(sock)!;
    assert.ok(h);
    const port = (sink.addr as Deno.NetAddr).port;
    const buf = new Uint8Array(50);
    for (let i = 0; i < 3; i++) {
      buf.fill(i + 7);
      assert.equal(h.send(buf, port, "127.0.0.1"), true);
    }
    buf.fill(0);
    // Each send is its own async op in the runtime: they may leave in any order (as node:dgram's).
    const got = (await receive(sink)).sort((a, b) => a[0][0] - b[0][0]);
    for (const [i, [data, from]] of got.entries()) {
      assert.ok(data.length === 50 && data.every((b) => b === i + 7), `datagram ${i} as it was when sent`);
      assert.equal(from.port, sock.address().port);
    }
    sock.close();
    assert.equal(h.send(buf, port, "127.0.0.1"), false, "a closed socket sends nothing");
    assert.equal(h.errors, 0);
  } finally {
    sink.close();
  }
});

async function receive(conn: Deno.DatagramConn): Promise<[Uint8Array, Deno.NetAddr][]> {
  const got: [Uint8Array, Deno.NetAddr][] = [];
  while (got.length < 3) {
    const [data, from] = await conn.receive();
    got.push([data, from as Deno.NetAddr]);
  }
  return got;
}
