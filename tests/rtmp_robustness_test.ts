/**
 * RTMP under abuse: a player that never reads is dropped to keyframes and then disconnected with
 * bounded server memory; malformed input (random bytes, a truncated or stalled handshake, chunk
 * size 0, a huge message length, AMF garbage) ends only that session, with one log line each,
 * while another stream keeps playing.
 */
import assert from "node:assert/strict";
import { h264Track, splitAnnexB } from "../src/codecs/mod.ts";
import type { Frame } from "../src/core/mod.ts";
import { createRtmpServer, RtmpClient, rtmpSettings } from "../src/protocols/rtmp/mod.ts";
import { command, connectCommand, rawHandshake, readUntilClosed, writeAll } from "./support/rtmp_raw.ts";
import { ffmpegPublish, H264B, heapBytes, startTestServer, waitFor } from "./support/mod.ts";

/** The RTMP service's counters. */
type RtmpStats = { connections: number };

/** Big synthetic H264 frames (a real track, filler payloads): ~3 MB/s without encoding anything. */
async function bigFrames(count: number, bytes: number): Promise<Frame[]> {
  const es = await Deno.readFile(
    new URL("../src/codecs/testdata/h264_640x360_high_30.h264", import.meta.url),
  );
  const nals = splitAnnexB(es);
  const sps = nals.find((n) => (n[0] & 0x1f) === 7)!;
  const pps = nals.find((n) => (n[0] & 0x1f) === 8)!;
  const track = h264Track(sps, [pps]);
  const data = new Uint8Array(bytes);
  new DataView(data.buffer).setUint32(0, bytes - 4);
  data[4] = 0x65;
  return Array.from(
    { length: count },
    (_, i) => ({ track, dts: i * 3000, pts: i * 3000, key: i % 30 === 0, data }),
  );
}

/** The stop line of the session whose peer used local port `port`. */
function stopLineOf(lines: string[], port: number): string[] {
  const start = lines.find((l) => l.includes("rtmp session start") && l.includes(`remote=127.0.0.1:${port}`));
  const sess = start?.match(/sess=(\S+)/)?.[1];
  if (!sess) return [];
  return lines.filter((l) => l.includes("rtmp session stop") && l.includes(`sess=${sess} `));
}

Deno.test("rtmp robustness: a player that stops reading is dropped to keyframes, then disconnected", async () => {
  // The config has no key for the fan-out's back-pressure limits, so a second RTMP listener on the
  // test server's hub and log, built from the same settings() as the real one, gets small ones: a
  // 1 MiB backlog, a third drop disconnects, and no stall deadline before that.
  const ts = await startTestServer();
  const { hub } = ts;
  const settings = rtmpSettings(ts.server.config, ts.root)!;
  const server = createRtmpServer({
    hub,
    log: ts.server.log,
    ...settings,
    port: 0,
    fanout: { ...settings.fanout, maxQueueBytes: 1 << 20, maxDrops: 2, stallMs: 20_000 },
  });
  await server.start();
  const url = `rtmp://127.0.0.1:${server.port}/live/big`;
  const frames = await bigFrames(450, 100_000);
  const pub = await RtmpClient.connect(url);
  const good = await RtmpClient.connect(url);
  let slow: Deno.TcpConn | undefined;
  try {
    await pub.publish();
    let i = 0;
    let sending = true;
    const t0 = performance.now();
    const sender = (async () => {
      for (; i < frames.length && sending; i++) {
        const wait = i * 33.3 - (performance.now() - t0);
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        await pub.write(frames[i]);
      }
    })();
    await waitFor(() => hub.get("live/big")?.videoTrack, 5000, "the stream");
    await good.play();
    let goodFrames = 0;
    const goodLoop = (async () => {
      for await (const _ of good.frames()) goodFrames++;
    })();
    const mem0 = heapBytes();

    slow = await rawHandshake(server.port);
    const slowPort = (slow.localAddr as Deno.NetAddr).port;
    await writeAll(slow, connectCommand(server.port));
    await writeAll(slow, command(0, "createStream", 2, null));
    await writeAll(slow, command(1, "play", 0, null, "big"));
    // ...and never read again.
    const line = await waitFor(
      () => stopLineOf(ts.lines, slowPort)[0],
      14_000,
      "the slow player to be dropped",
    );
    const mem1 = heapBytes();
    sending = false;
    await sender;
    assert.match(line, /reason="too slow: backlog overflowed too often"/);
    assert.match(line, /drops=3/);
    assert.equal(stopLineOf(ts.lines, slowPort).length, 1);
    const growth = (mem1 - mem0) / 1e6;
    assert.ok(growth < 120, `heap and buffers grew by ${growth.toFixed(1)} MB while a player stalled`);
    assert.ok(goodFrames > 30, `the reading player kept receiving (${goodFrames} frames)`);
    good.close();
    await goodLoop;
  } finally {
    slow?.close();
    pub.close();
    good.close();
    await Promise.all([pub.done, good.done]);
    await server.close();
    await ts.close();
  }
});

/** Each malformed input and the reason its (only) stop line must give. */
const abuses: { name: string; rule: RegExp; act: (port: number) => Promise<Deno.TcpConn> }[] = [
  {
    name: "random bytes",
    rule: /reason="RTMP version \d+ in C0 is not supported/,
    act: async (port) => {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      const junk = crypto.getRandomValues(new Uint8Array(4000));
      junk[0] = 0x47;
      await writeAll(c, junk).catch(() => {});
      return c;
    },
  },
  {
    name: "truncated handshake",
    rule: /reason="RTMP handshake truncated: peer closed after 301 of 1537 bytes"/,
    act: async (port) => {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      const b = new Uint8Array(301);
      b[0] = 3;
      await writeAll(c, b);
      await c.closeWrite();
      return c;
    },
  },
  {
    name: "stalled handshake",
    rule: /reason="no complete handshake within 10000 ms"/,
    act: async (port) => {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      await writeAll(c, new Uint8Array([3, 0, 0, 0]));
      return c;
    },
  },
  {
    name: "chunk size 0",
    rule: /reason="RTMP chunk size 0 is invalid: must be 1\.\.2147483647"/,
    act: async (port) => {
      const c = await rawHandshake(port);
      await writeAll(c, new Uint8Array([0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
      return c;
    },
  },
  {
    name: "huge message length",
    rule: /reason="RTMP message length 16777215 on chunk stream 3 is invalid: must be at most 8388608"/,
    act: async (port) => {
      const c = await rawHandshake(port);
      await writeAll(c, new Uint8Array([0x03, 0, 0, 0, 0xff, 0xff, 0xff, 20, 0, 0, 0, 0, 0x02]));
      return c;
    },
  },
  {
    name: "AMF garbage",
    rule: /reason="AMF0 at offset 3: string needs 65535 bytes but only 3 remain"/,
    act: async (port) => {
      const c = await rawHandshake(port);
      await writeAll(
        c,
        new Uint8Array([0x03, 0, 0, 0, 0, 0, 6, 20, 0, 0, 0, 0, 0x02, 0xff, 0xff, 0x61, 0x62, 0x63]),
      );
      return c;
    },
  },
  {
    name: "command before connect",
    rule: /reason="RTMP command \\"play\\" before connect is invalid/,
    act: async (port) => {
      const c = await rawHandshake(port);
      await writeAll(c, command(1, "play", 0, null, "x"));
      return c;
    },
  },
];

Deno.test("rtmp robustness: malformed input ends only its own session; another stream keeps playing", async () => {
  const ts = await startTestServer();
  const { hub } = ts;
  const port = ts.port("rtmp");
  const url = ts.rtmp("/live/steady");
  // Long enough to outlast the stalled handshake (the server's 10 s deadline).
  const pub = ffmpegPublish({
    url,
    format: "flv",
    seconds: 20,
    video: H264B,
    audio: ["-an"],
    size: "160x120",
  });
  const player = await RtmpClient.connect(url, { timeoutMs: 10_000 });
  try {
    await waitFor(() => hub.get("live/steady")?.videoTrack, 10_000, "the steady stream");
    await player.play();
    let frames = 0;
    const loop = (async () => {
      for await (const _ of player.frames()) frames++;
    })();
    await new Promise((r) => setTimeout(r, 300));
    const before = frames;
    const results = await Promise.all(abuses.map(async (a) => {
      const conn = await a.act(port);
      const local = (conn.localAddr as Deno.NetAddr).port;
      const { closed } = await readUntilClosed(conn, 13_000);
      return { a, local, closed };
    }));
    await new Promise((r) => setTimeout(r, 300));
    for (const { a, local, closed } of results) {
      assert.ok(closed, `${a.name}: the server closed the connection`);
      const stops = stopLineOf(ts.lines, local);
      assert.equal(stops.length, 1, `${a.name}: one stop line`);
      assert.match(stops[0], a.rule, a.name);
    }
    assert.ok(hub.get("live/steady"), "the steady stream is still published");
    const mid = frames;
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(
      mid > before && frames > mid,
      `the player kept receiving frames (${before} → ${mid} → ${frames})`,
    );
    player.close();
    await loop;
  } finally {
    player.close();
    await player.done;
    await pub.stop();
    await ts.close();
  }
});
