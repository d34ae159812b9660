/**
 * Deadlines and connection limits on the RTMP, RTSP and SRT ports, through the real server: a peer
 * that stops talking in any phase is closed within its deadline with one log line, connections
 * past a limit are refused at accept, and a real ffmpeg stream keeps playing meanwhile.
 */
import assert from "node:assert/strict";
import { connectCommand, rawHandshake, readUntilClosed, writeAll } from "./support/rtmp_raw.ts";
import {
  decodedFrames,
  ffmpegPublish,
  H264B,
  startTestServer,
  type TestServer,
  waitLive,
} from "./support/mod.ts";
import { srtStats } from "./support/srt_client.ts";
import { ControlType, decodePacket, encodeControlPacket } from "../src/protocols/srt/packet.ts";
import {
  decodeHandshake,
  encodeHandshake,
  HandshakeType,
  UDT_DGRAM,
} from "../src/protocols/srt/handshake.ts";

const enc = new TextEncoder();

/** The stop line(s) of the RTMP session whose peer used local port `port`. */
function rtmpStopLines(lines: string[], port: number): string[] {
  const start = lines.find((l) => l.includes("rtmp session start") && l.includes(`remote=127.0.0.1:${port}`));
  const sess = start?.match(/sess=(\S+)/)?.[1];
  return sess ? lines.filter((l) => l.includes("rtmp session stop") && l.includes(`sess=${sess} `)) : [];
}

/** A live stream published by ffmpeg over RTMP, and a player of it counting decoded frames. */
async function liveWithPlayer(ts: TestServer, key: string, seconds: number) {
  const pub = ffmpegPublish({ url: ts.rtmp(`/${key}`), format: "flv", seconds, video: H264B, audio: [] });
  await waitLive(ts.hub, key, { audio: false });
  const player = decodedFrames(ts.rtmp(`/${key}`), {
    timeoutMs: (seconds + 5) * 1000,
    inputArgs: ["-rw_timeout", "5000000"],
  });
  return { pub, player };
}

Deno.test("rtmp deadlines: silent after connect, and a stalled handshake, are closed with one line each", async () => {
  const ts = await startTestServer({ rtmp: { starttimeout: 2, connecttimeout: 2 } });
  const { pub, player } = await liveWithPlayer(ts, "live/deadline", 8);
  try {
    // handshake + connect, then silence: closed after starttimeout.
    const conn = await rawHandshake(ts.port("rtmp"));
    const local = (conn.localAddr as Deno.NetAddr).port;
    await writeAll(conn, connectCommand(ts.port("rtmp")));
    const t0 = Date.now();
    const r = await readUntilClosed(conn, 6000);
    const took = Date.now() - t0;
    assert.ok(r.closed, "the server closed a session that never published nor played");
    assert.ok(r.bytes > 0, "connect was answered first");
    assert.ok(took >= 1500 && took < 4000, `closed after ${took} ms (deadline 2 s)`);
    const stops = rtmpStopLines(ts.lines, local);
    assert.equal(stops.length, 1, stops.join("\n"));
    assert.match(stops[0], /no publish or play within 2000 ms of connect/);

    // Half a handshake, then silence: closed after connecttimeout.
    const half = await Deno.connect({ hostname: "127.0.0.1", port: ts.port("rtmp") });
    const halfPort = (half.localAddr as Deno.NetAddr).port;
    await writeAll(half, new Uint8Array(100).fill(3, 0, 1));
    const h = await readUntilClosed(half, 6000);
    assert.ok(h.closed, "a stalled handshake is closed");
    assert.match(rtmpStopLines(ts.lines, halfPort).join("\n"), /no complete handshake within 2000 ms/);

    const { frames } = await player;
    assert.ok(frames >= 150, `the real player kept decoding meanwhile: ${frames} frames`);
  } finally {
    await pub.stop();
    await ts.close();
  }
});

Deno.test("rtsp deadlines: half a request line, and no request at all, are closed after headertimeout", async () => {
  // maxidle 0: only the new header deadline can end these connections.
  const ts = await startTestServer({ rtsp: { headertimeout: 2, maxidle: 0 } });
  try {
    const port = ts.port("rtsp");
    const half = await Deno.connect({ hostname: "127.0.0.1", port });
    await writeAll(half, enc.encode("OPTIONS rtsp://127.0.0.1/live/x RTS"));
    const silent = await Deno.connect({ hostname: "127.0.0.1", port });
    const t0 = Date.now();
    const [a, b] = await Promise.all([readUntilClosed(half, 6000), readUntilClosed(silent, 6000)]);
    const took = Date.now() - t0;
    assert.ok(a.closed && b.closed, `closed: half=${a.closed} silent=${b.closed}`);
    assert.ok(took < 4500, `within the deadline: ${took} ms`);
    const lines = ts.lines.filter((l) => l.includes("rtsp disconnect") && l.includes("no complete request"));
    assert.equal(lines.length, 2, lines.join("\n"));

    // A whole request answered, then nothing in progress: the connection stays (maxidle 0).
    const ok = await Deno.connect({ hostname: "127.0.0.1", port });
    await writeAll(ok, enc.encode("OPTIONS rtsp://127.0.0.1/live/x RTSP/1.0\r\nCSeq: 1\r\n\r\n"));
    const r = await readUntilClosed(ok, 3000);
    assert.ok(!r.closed && r.bytes > 0, "an answered client with nothing pending is not cut");
  } finally {
    await ts.close();
  }
});

Deno.test("connection limits: past maxconnsperip the RTMP and RTSP listeners refuse at accept, one line a second", async () => {
  const ts = await startTestServer({ rtmp: { maxconnsperip: 3 }, rtsp: { maxconns: 2 } });
  const conns: Deno.Conn[] = [];
  try {
    for (const [name, allowed] of [["rtmp", 3], ["rtsp", 2]] as const) {
      for (let i = 0; i < allowed; i++) {
        conns.push(await Deno.connect({ hostname: "127.0.0.1", port: ts.port(name) }));
      }
      // Wait until the held ones are accepted (they count from then on).
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < 5; i++) {
        const extra = await Deno.connect({ hostname: "127.0.0.1", port: ts.port(name) });
        const r = await readUntilClosed(extra, 2000);
        assert.ok(r.closed && r.bytes === 0, `${name}: extra connection ${i} refused`);
      }
      const refusals = ts.lines.filter((l) => l.includes(`${name} connection refused`));
      assert.equal(refusals.length, 1, `${name}: one line for five refusals:\n${refusals.join("\n")}`);
    }
    // The held connections are still served (the RTMP ones time out only after connecttimeout).
    for (const c of conns.splice(0)) c.close();
    await new Promise((r) => setTimeout(r, 200));
    const again = await rawHandshake(ts.port("rtmp"));
    again.close();
  } finally {
    for (const c of conns) c.close();
    await ts.close();
  }
});

Deno.test("srt: a caller that sends the induction and nothing more leaves no state behind", async () => {
  const ts = await startTestServer();
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const server: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: ts.port("srt") };
    const before = srtStats(ts);
    for (let id = 1; id <= 200; id++) {
      const cif = encodeHandshake({
        version: 4,
        encryption: 0,
        extensionField: UDT_DGRAM,
        isn: id,
        mtu: 1500,
        flowWindow: 8192,
        type: HandshakeType.Induction,
        socketId: id,
        cookie: 0,
        peerIp: new Uint8Array(16),
        extensions: [],
      });
      await sock.send(
        encodeControlPacket({
          type: ControlType.Handshake,
          subtype: 0,
          info: 0,
          timestamp: 1,
          destId: 0,
          cif,
        }),
        server,
      );
      if (id === 1) {
        const [data] = await sock.receive();
        const p = decodePacket(data);
        assert.ok(p.control, "a control packet answers");
        assert.ok(decodeHandshake(p.cif).cookie !== 0, "the induction is answered with a cookie");
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    const after = srtStats(ts);
    assert.equal(after.sessions, 0);
    assert.equal(after.pending, 0, "nothing is kept for a caller until its conclusion echoes the cookie");
    assert.equal(after.handshakes, before.handshakes, "inductions are not counted as handshakes");
  } finally {
    sock.close();
    await ts.close();
  }
});

Deno.test("srt: past maxconnsperip a caller is rejected in the handshake (SRT_REJ_BACKLOG); the others play on", async () => {
  // The publisher and one player fill the per-address limit of 2 (every client here is 127.0.0.1).
  const ts = await startTestServer({ srt: { maxconnsperip: 2 } });
  const pub = ffmpegPublish({
    url: ts.srt("#!::r=live/cap,m=publish"),
    format: "mpegts",
    seconds: 20,
    video: H264B,
    audio: [],
  });
  try {
    await waitLive(ts.hub, "live/cap", { audio: false });
    const player = decodedFrames(ts.srt("#!::r=live/cap,m=request"), { frames: 150, timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 1500));
    const refused = await decodedFrames(ts.srt("#!::r=live/cap,m=request"), { frames: 30, timeoutMs: 8000 });
    assert.equal(refused.frames, 0, "the third caller from the address gets nothing");
    assert.ok(
      ts.lines.some((l) => /srt connection rejected .*code=5 .*maxconnsperip/.test(l)),
      ts.lines.filter((l) => l.includes("srt")).join("\n"),
    );
    assert.equal((await player).frames, 150, "the admitted player keeps playing");
  } finally {
    await pub.stop();
    await ts.close();
  }
});
