/**
 * Bad input: random datagrams, a forged cookie, an HSv4 caller, an unknown extension, sequence
 * numbers that wrap, and a caller that vanishes. The server keeps serving and frees every session.
 */
import assert from "node:assert/strict";
import { connectSrt } from "../src/protocols/srt/mod.ts";
import { ControlType, decodePacket, encodeControlPacket } from "../src/protocols/srt/packet.ts";
import {
  decodeHandshake,
  encodeHandshake,
  ExtFlag,
  type Handshake,
  HandshakeType,
  UDT_DGRAM,
} from "../src/protocols/srt/handshake.ts";
import { encodeHsReq, encodeStringExt, ExtType, LIVE_FLAGS } from "../src/protocols/srt/extensions.ts";
import { SEQ_MAX } from "../src/protocols/srt/sequence.ts";
import { requireTool, startTestServer } from "./support/mod.ts";
import { srtStats, waitNoSessions } from "./support/srt_client.ts";

/** A raw UDP peer that speaks handshakes by hand. */
function rawPeer(port: number) {
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

function induction(socketId: number): Handshake {
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

function conclusion(socketId: number, cookie: number, over: Partial<Handshake> = {}): Handshake {
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

Deno.test("random datagrams, forged cookies, HSv4 and unknown extensions", async () => {
  const ts = await startTestServer();
  const peer = rawPeer(ts.port("srt"));
  try {
    // 1. Garbage of every size, some dressed as handshakes or addressed to made-up sockets.
    const rnd = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    for (let i = 0; i < 400; i++) {
      const b = rnd(i % 7 === 0 ? i % 16 : 16 + (i * 37) % 1400);
      if (i % 3 === 0 && b.length >= 16) b.set([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // handshake to id 0
      await peer.send(b);
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 5)); // ours is a default-sized UDP buffer
    }
    // 2. Induction works; a conclusion with a forged cookie gets no answer and no session.
    let ind: Handshake | undefined;
    for (let i = 0; i < 5 && !ind; i++) { // retried like a real caller does
      await peer.hs(induction(77));
      ind = await peer.answer(300);
    }
    assert.ok(
      ind && ind.version === 5 && ind.extensionField === 0x4a17 && ind.cookie !== 0,
      "induction answer",
    );
    await peer.hs(conclusion(77, (ind.cookie + 1) >>> 0));
    assert.equal(await peer.answer(400), undefined, "a bad cookie is ignored");
    assert.equal(srtStats(ts).sessions, 0);
    // 3. An HSv4 conclusion is refused with REJ_VERSION (1008).
    await peer.hs(conclusion(78, ind.cookie, { version: 4 }));
    assert.equal((await peer.answer())?.type, 1008);
    // 4. An unknown extension is skipped: the connection is accepted.
    await peer.hs(conclusion(79, ind.cookie));
    const ok = await peer.answer();
    assert.equal(ok?.type, HandshakeType.Conclusion, "accepted despite the unknown extension");
    assert.ok(ok!.extensions.some((e) => e.type === ExtType.HsRsp));
    assert.equal(srtStats(ts).sessions, 1);
    await peer.send(encodeControlPacket({
      type: ControlType.Shutdown,
      subtype: 0,
      info: 0,
      timestamp: 2,
      destId: ok!.socketId,
      cif: new Uint8Array(4),
    }));
    await waitNoSessions(ts);
    const st = srtStats(ts);
    assert.ok(st.badPackets > 100, `bad packets counted: ${JSON.stringify(st)}`);
    assert.equal(ts.hub.get("live/raw"), undefined, "the stream ended with its publisher");
  } finally {
    await peer.close();
    await ts.close();
  }
});

Deno.test("sequence numbers wrap mid-stream; a vanished caller times out and frees its stream", async () => {
  requireTool("ffmpeg");
  const tsBytes = await tsFile();
  // <srt><maxidle> 1 s: a caller that vanishes is noticed quickly.
  const ts = await startTestServer({ srt: { maxidle: 1 } });
  const caller = await connectSrt({
    hostname: "127.0.0.1",
    port: ts.port("srt"),
    streamId: "#!::r=live/wrap,m=publish",
    isn: SEQ_MAX - 20,
  });
  try {
    // Paced at about real time (2 s of TS), well past the wrap at 2^31.
    const step = 1316 * 5;
    for (let o = 0; o < tsBytes.length; o += step) {
      await caller.connection.write(tsBytes.subarray(o, Math.min(tsBytes.length, o + step)));
      await new Promise((r) => setTimeout(r, 2000 * step / tsBytes.length));
    }
    const stream = ts.hub.get("live/wrap")!;
    await new Promise((r) => setTimeout(r, 400)); // TSBPD latency
    assert.ok(stream.stats.videoFrames >= 40, `frames after the wrap: ${stream.stats.videoFrames}`);
    const s = srtStats(ts).list[0];
    assert.equal(s.recv.lost, 0);
    assert.ok(caller.connection.sender.stats.packets > 30);
    // Now the caller disappears without a SHUTDOWN: the server notices after maxIdle (1 s).
    await caller.drop();
    await waitNoSessions(ts, 4000);
    assert.ok(stream.isEnded, "the publisher's stream ended");
    assert.match(stream.endReason, /peer idle/);
    assert.equal(ts.hub.get("live/wrap"), undefined);
  } finally {
    await caller.close();
    await ts.close();
  }
});

async function tsFile(): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-nostdin",
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=320x240:rate=25",
      "-t",
      "2",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-g",
      "25",
      "-f",
      "mpegts",
      "pipe:1",
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  return out.stdout;
}
