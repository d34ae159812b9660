import assert from "node:assert/strict";
import { UdpSocket } from "./udp.ts";

Deno.test("UdpSocket: sends are synchronous system calls where FFI runs, in order, counted", async () => {
  const sink = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const sock = UdpSocket.bind("127.0.0.1", 0);
  try {
    assert.equal(sock.direct, true, "tests run on Linux with every permission");
    const to = sink.addr as Deno.NetAddr;
    for (let i = 0; i < 50; i++) sock.send(new Uint8Array([i, 1, 2, 3]), to);
    // Nothing waited for an async send: all 50 are already with the kernel.
    assert.equal(sock.queued, 0);
    assert.equal(sock.stats.txPackets, 50);
    for (let i = 0; i < 50; i++) {
      const [data, from] = await sink.receive();
      assert.equal(data[0], i, "in the order sent");
      assert.equal((from as Deno.NetAddr).port, sock.addr.port);
    }
  } finally {
    sink.close();
    await sock.close();
  }
  // After close nothing is sent (the descriptor's number may be another file's by then).
  sock.send(new Uint8Array([9]), { transport: "udp", hostname: "127.0.0.1", port: 9 });
  assert.equal(sock.stats.txPackets, 50);
});
