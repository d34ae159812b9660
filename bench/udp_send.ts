/**
 * What one UDP datagram costs the sending process, by way of sending (CPU µs per 1200-byte packet,
 * user + system, this process only), interleaved rounds so that a shared machine's load falls on
 * every way alike:
 *   - werift: werift's ICE chain (`Connection.send` → `StunProtocol.sendData` → `UdpTransport.send`,
 *     three async functions), modelled here, ending in node:dgram `socket.send(buf, port, host)`;
 *   - dgram: node:dgram `socket.send(buf, port, host)`;
 *   - handle: the dgram socket's own UDP handle (`handle.send`, what udp_send.ts in webrtc uses);
 *   - deno: `Deno.DatagramConn.send(buf, addr)` (another socket: werift's cannot be reached this way);
 *   - ffi: `sendto(2)` through FFI on a duplicate of the dgram socket's descriptor (udp_fd.ts).
 * The receiver is a socket of this process that is never read (the kernel drops what overflows).
 *   deno run -A bench/udp_send.ts [--packets 20000] [--rounds 5]
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import process from "node:process";
import { udpHandle } from "../src/protocols/webrtc/udp_send.ts";
import { openUdpFd, sockaddrIn } from "../src/net/udp_fd.ts";

const argNum = (name: string, def: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : def;
};
const PACKETS = argNum("packets", 20000);
const ROUNDS = argNum("rounds", 5);
/** Packets sent back to back before yielding to the event loop (a frame's packets for one viewer). */
const BURST = argNum("burst", 10);

const sink = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
const port = (sink.addr as Deno.NetAddr).port;
const host = "127.0.0.1";
const sock = dgram.createSocket("udp4");
sock.bind(0, host);
await new Promise((r) => sock.once("listening", r));
const handle = udpHandle(sock);
if (!handle) throw new Error("node:dgram socket without the expected UDP handle: the handle way is off");
const fd = openUdpFd(sock);
if (!fd) throw new Error("no FFI sendto here (Linux and --allow-ffi needed)");
const to = sockaddrIn(host, port)!;
const conn = Deno.listenDatagram({ transport: "udp", hostname: host, port: 0 });
const addr: Deno.NetAddr = { transport: "udp", hostname: host, port };
const buf = Buffer.alloc(1200, 7);
const ignore = () => {};

// werift's chain, as in its ICE Connection.send / StunProtocol.sendData / UdpTransport.send.
const transport = {
  closed: false,
  // An async function in werift (one with no await: a promise per call, as this makes).
  send: (data: Buffer, a: [string, number]) => {
    sock.send(data, a[1], a[0]);
    return Promise.resolve();
  },
};
const protocol = {
  async sendData(data: Buffer, a: [string, number]) {
    if (transport.closed) return;
    await transport.send(data, a);
  },
};
const pair = { protocol, remoteAddr: [host, port] as [string, number], packetsSent: 0, bytesSent: 0 };
const connection = {
  send: async (data: Buffer) => {
    await pair.protocol.sendData(data, pair.remoteAddr);
    pair.packetsSent++;
    pair.bytesSent += data.length;
  },
};

const ways: Record<string, () => void> = {
  werift: () => void connection.send(buf).then(ignore, ignore),
  dgram: () => sock.send(buf, port, host),
  handle: () => handle.send(buf, port, host),
  deno: () => void conn.send(buf, addr).catch(ignore),
  ffi: () => void fd.sendTo(buf, buf.length, to),
};

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const results: Record<string, number[]> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, send] of Object.entries(ways)) {
    const c0 = cpuUs();
    for (let i = 0; i < PACKETS; i += BURST) {
      for (let j = 0; j < BURST; j++) send();
      await new Promise((res) => setTimeout(res, 0));
    }
    // Let the sends in flight complete before the clock stops.
    await new Promise((res) => setTimeout(res, 50));
    (results[name] ??= []).push((cpuUs() - c0) / PACKETS);
  }
}
// The 50 ms settle and the timers' own cost, measured alone.
const c0 = cpuUs();
for (let i = 0; i < PACKETS; i += BURST) await new Promise((res) => setTimeout(res, 0));
await new Promise((res) => setTimeout(res, 50));
const idle = (cpuUs() - c0) / PACKETS;
console.log(
  `UDP send, ${PACKETS} × 1200-byte packets in bursts of ${BURST}, ${ROUNDS} rounds (CPU µs/packet)`,
);
console.log(`loop and timers alone: ${idle.toFixed(2)} µs/packet (subtracted below)`);
for (const [name, list] of Object.entries(results)) {
  const sorted = list.map((x) => x - idle).sort((a, b) => a - b);
  console.log(
    `${name.padEnd(7)} median ${sorted[sorted.length >> 1].toFixed(2)}  min ${sorted[0].toFixed(2)}  max ${
      sorted[sorted.length - 1].toFixed(2)
    }`,
  );
}
console.log(`ffi: ${fd.sent} sent, ${fd.errors} refused by the kernel (last errno ${fd.lastErrno})`);
fd.close();
sock.close();
conn.close();
sink.close();
