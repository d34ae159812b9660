/**
 * Bad input: random datagrams, a forged cookie, an HSv4 caller, an unknown extension, sequence
 * numbers that wrap, and a caller that vanishes. The server keeps serving and frees every session.
 */
import assert from "node:assert/strict";
import { connectSrt } from "../src/protocols/srt/mod.ts";
import { ControlType, encodeControlPacket } from "../src/protocols/srt/packet.ts";
import { type Handshake, HandshakeType } from "../src/protocols/srt/handshake.ts";
import { ExtType } from "../src/protocols/srt/extensions.ts";
import { SEQ_MAX } from "../src/protocols/srt/sequence.ts";
import { requireTool, startTestServer } from "./support/mod.ts";
import { srtStats, waitNoSessions } from "./support/srt_client.ts";
import { conclusion, induction, rawPeer } from "./support/srt_raw.ts";

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
