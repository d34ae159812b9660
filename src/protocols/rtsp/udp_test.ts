import assert from "node:assert/strict";
import { CONTROL_DATAGRAM, type UdpAddr, UdpPortPool } from "./udp.ts";

const HOST = "127.0.0.1";

async function received(n: number, got: Uint8Array[]): Promise<void> {
  for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 5));
}

Deno.test("UdpPair: every datagram reaches the handler as its own bytes (the read buffer is reused)", async () => {
  const pool = new UdpPortPool({ min: 47000, max: 47100 }, HOST);
  const pair = pool.allocate();
  const got: Uint8Array[] = [];
  const from: UdpAddr[] = [];
  pair.listen((d, f) => {
    got.push(d);
    from.push(f);
  }, () => {});
  const sender = Deno.listenDatagram({ transport: "udp", hostname: HOST, port: 0 });
  try {
    const to = { transport: "udp" as const, hostname: HOST, port: pair.rtpPort };
    const big = new Uint8Array(9000).fill(7);
    await sender.send(big, to);
    await sender.send(new Uint8Array([1, 2, 3]), to);
    await received(2, got);
    assert.equal(got.length, 2);
    // The first datagram kept by the handler is not overwritten by the second.
    assert.deepEqual(got[0], big);
    assert.deepEqual(got[1], new Uint8Array([1, 2, 3]));
    assert.equal(
      got[1].buffer.byteLength,
      3,
      "a copy of exactly the datagram, not a view of the read buffer",
    );
    assert.equal(from[0].port, (sender.addr as Deno.NetAddr).port);
  } finally {
    sender.close();
    pair.close();
  }
});

Deno.test("UdpPair: a player's pair reads RTCP and NAT packets into small buffers", async () => {
  const pool = new UdpPortPool({ min: 47100, max: 47200 }, HOST);
  const pair = pool.allocate(false);
  assert.equal(pair.mediaIn, false);
  const rtcp: Uint8Array[] = [];
  pair.listen(() => {}, (d) => rtcp.push(d));
  const sender = Deno.listenDatagram({ transport: "udp", hostname: HOST, port: 0 });
  try {
    const to = { transport: "udp" as const, hostname: HOST, port: pair.rtcpPort };
    const rr = new Uint8Array(32).fill(0x81);
    await sender.send(rr, to);
    await sender.send(new Uint8Array(CONTROL_DATAGRAM + 100).fill(9), to);
    await received(2, rtcp);
    assert.deepEqual(rtcp[0], rr);
    // Longer than any report: cut to the buffer (its parser then refuses it).
    assert.equal(rtcp[1].byteLength, CONTROL_DATAGRAM);
  } finally {
    sender.close();
    pair.close();
  }
});

Deno.test("UdpPortPool: a media-in RTP socket gets <sock><recvbuffer> as its receive buffer; a player's pair is left as it is", () => {
  const pool = new UdpPortPool({ min: 41000, max: 41999 }, "127.0.0.1", 256 * 1024);
  const pub = pool.allocate(true);
  try {
    // Linux reads back twice what it granted, capped by net.core.rmem_max (212992 by default: 425984).
    assert.ok((pool.lastRecvBuffer ?? 0) >= 256 * 1024, `SO_RCVBUF ${pool.lastRecvBuffer}`);
    pool.lastRecvBuffer = undefined;
    const player = pool.allocate(false);
    player.close();
    assert.equal(pool.lastRecvBuffer, undefined);
    pool.configure({ min: 41000, max: 41999 }, "127.0.0.1", 0);
    pool.allocate(true).close();
    assert.equal(pool.lastRecvBuffer, undefined, "0: the system's default");
  } finally {
    pub.close();
  }
});
