/** A raw SRT peer for tests that must misbehave: handshakes built by hand over a plain UDP socket. */
import { ControlType, decodePacket, encodeControlPacket } from "../../src/protocols/srt/packet.ts";
import {
  decodeHandshake,
  encodeHandshake,
  ExtFlag,
  type Handshake,
  HandshakeType,
  UDT_DGRAM,
} from "../../src/protocols/srt/handshake.ts";
import { encodeHsReq, encodeStringExt, ExtType, LIVE_FLAGS } from "../../src/protocols/srt/extensions.ts";

/** A raw UDP peer that speaks handshakes by hand. */
export function rawPeer(port: number) {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const server: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
  const send = (bytes: Uint8Array) => sock.send(bytes, server);
  const hs = (h: Handshake, destId = 0) =>
    send(
      encodeControlPacket({
        type: ControlType.Handshake,
        subtype: 0,
        info: 0,
        timestamp: 1,
        destId,
        cif: encodeHandshake(h),
      }),
    );
  const queue: Handshake[] = [];
  const loop = (async () => {
    for (;;) {
      let data: Uint8Array;
      try {
        [data] = await sock.receive();
      } catch {
        return; // closed
      }
      const p = decodePacket(data);
      if (p.control && p.type === ControlType.Handshake) queue.push(decodeHandshake(p.cif));
    }
  })();
  /** The next handshake answer, or undefined after `ms`. */
  const answer = async (ms = 600): Promise<Handshake | undefined> => {
    const end = Date.now() + ms;
    while (queue.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    return queue.shift();
  };
  return {
    send,
    hs,
    answer,
    close: async () => {
      sock.close();
      await loop;
    },
  };
}

export function induction(socketId: number): Handshake {
  return {
    version: 4,
    encryption: 0,
    extensionField: UDT_DGRAM,
    isn: 1000,
    mtu: 1500,
    flowWindow: 8192,
    type: HandshakeType.Induction,
    socketId,
    cookie: 0,
    peerIp: new Uint8Array(16),
    extensions: [],
  };
}

export function conclusion(socketId: number, cookie: number, over: Partial<Handshake> = {}): Handshake {
  return {
    ...induction(socketId),
    version: 5,
    extensionField: ExtFlag.HsReq | ExtFlag.Config,
    type: HandshakeType.Conclusion,
    cookie,
    extensions: [
      {
        type: ExtType.HsReq,
        data: encodeHsReq({ version: 0x010500, flags: LIVE_FLAGS, recvDelayMs: 120, sendDelayMs: 0 }),
      },
      { type: ExtType.Sid, data: encodeStringExt("#!::r=live/raw,m=publish") },
      { type: 0x3f, data: new Uint8Array(8) }, // an extension nobody knows
    ],
    ...over,
  };
}
