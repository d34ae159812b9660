/**
 * What one WHEP packet costs the server per viewer: DirectRtpSender.send (header copy, SRTP, the UDP
 * send) of the stream's shared 1200-byte RTP packets for V viewers, each a werift sender with its own
 * SRTP keys and a real UDP socket, by each way out (direct_send.ts: ffi, handle, werift's ICE send).
 * CPU µs per packet per viewer, user + system of this process (the receiving socket is this
 * process's, never read: the kernel drops what overflows it), interleaved rounds.
 *   deno run -A bench/whep_send.ts [--viewers 20] [--frames 300] [--rounds 5]
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import process from "node:process";
import { ProtectionProfileAes128CmHmacSha1_80, RTCRtpSender, SrtpSession } from "werift";
import { DirectRtpSender, type SendWay } from "../src/protocols/webrtc/direct_send.ts";
import { patchSrtpContext } from "../src/protocols/webrtc/srtp.ts";

const argNum = (name: string, def: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : def;
};
const VIEWERS = argNum("viewers", 20);
const FRAMES = argNum("frames", 300);
const ROUNDS = argNum("rounds", 5);
/** Packets per frame (a 1 Mbit/s, 30 fps stream is ~4 packets of 1200 bytes a frame). */
const PER_FRAME = 4;

const sink = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
const sinkPort = (sink.addr as Deno.NetAddr).port;

async function viewer(way: SendWay, k: number) {
  const key = Buffer.alloc(16, k + 1), salt = Buffer.alloc(14, k + 2);
  const srtp = new SrtpSession({
    keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt },
    profile: ProtectionProfileAes128CmHmacSha1_80,
  });
  const enc = patchSrtpContext(srtp.localContext)!;
  const sock = dgram.createSocket("udp4");
  sock.bind(0, "127.0.0.1");
  await new Promise((r) => sock.once("listening", r));
  const pair = {
    protocol: {
      // werift's StunProtocol.sendData → UdpTransport.send (async functions) → node:dgram send.
      async sendData(data: Buffer, addr: [string, number]) {
        await pair.protocol.transport.send(data, addr);
      },
      transport: {
        type: "udp",
        closed: false,
        socket: sock,
        send: (data: Buffer, addr: [string, number]) => {
          sock.send(data, addr[1], addr[0]);
          return Promise.resolve();
        },
      },
    },
    remoteAddr: ["127.0.0.1", sinkPort] as [string, number],
    packetsSent: 0,
    bytesSent: 0,
  };
  const connection = {
    nominated: pair,
    canSendApplicationData: () => true,
    // werift's ICE Connection.send.
    send: async (data: Buffer) => {
      await pair.protocol.sendData(data, pair.remoteAddr);
      pair.packetsSent++;
      pair.bytesSent += data.length;
    },
  };
  const sender = new RTCRtpSender("video");
  // deno-lint-ignore no-explicit-any
  const raw = sender as any;
  raw.dtlsTransport = { config: {}, bytesSent: 0, packetsSent: 0, srtp, iceTransport: { connection } };
  raw.rtcpRunning = true; // no sender reports here
  const direct = DirectRtpSender.create(sender, enc, 102, new Set([way]))!;
  return { direct, sock };
}

function packet(seq: number, ts: number): Buffer {
  const p = Buffer.alloc(1200, seq & 0xff);
  p[0] = 0x80;
  p[1] = 96;
  p.writeUInt16BE(seq & 0xffff, 2);
  p.writeUInt32BE(ts, 4);
  return p;
}

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const ways: SendWay[] = ["ffi", "handle", "werift"];
const sets = new Map<SendWay, Awaited<ReturnType<typeof viewer>>[]>();
for (const way of ways) {
  sets.set(
    way,
    await Promise.all(Array.from({ length: VIEWERS }, (_, k) => viewer(way, k))),
  );
}
const results = new Map<SendWay, number[]>();
let seq = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (const way of ways) {
    const vs = sets.get(way)!;
    const c0 = cpuUs();
    for (let f = 0; f < FRAMES; f++) {
      const frame = Array.from({ length: PER_FRAME }, () => packet(seq++, f * 3000));
      for (const v of vs) for (const p of frame) v.direct.send(p);
      // The event loop runs between frames (the async ways finish their sends there).
      await new Promise((res) => setTimeout(res, 0));
    }
    await new Promise((res) => setTimeout(res, 50));
    const us = (cpuUs() - c0) / (FRAMES * PER_FRAME * VIEWERS);
    if (!results.has(way)) results.set(way, []);
    results.get(way)!.push(us);
    if (vs[0].direct.way !== way) throw new Error(`asked for ${way}, sent by ${vs[0].direct.way}`);
  }
}
console.log(
  `WHEP send per packet per viewer: ${VIEWERS} viewers × ${FRAMES} frames × ${PER_FRAME} packets of 1200 bytes, ` +
    `${ROUNDS} rounds (CPU µs, this process; includes the packet building, shared by all viewers)`,
);
for (const [way, list] of results) {
  const s = [...list].sort((a, b) => a - b);
  console.log(
    `${way.padEnd(7)} median ${s[s.length >> 1].toFixed(2)}  min ${s[0].toFixed(2)}  max ${
      s[s.length - 1].toFixed(2)
    }`,
  );
}
for (const vs of sets.values()) {
  for (const v of vs) {
    v.direct.close();
    v.sock.close();
  }
}
sink.close();
