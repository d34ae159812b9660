/**
 * HTTP-FLV and WS-FLV with real clients (ffmpeg, ffprobe) on the real server. The publisher is an
 * ffmpeg-made FLV file replayed into the server's hub at real time, so these tests do not depend on
 * the RTMP ingest.
 */
import assert from "node:assert/strict";
import type { Fanout, VideoTrack } from "../src/core/mod.ts";
import {
  FLV_TAG_AUDIO,
  FLV_TAG_VIDEO,
  FlvDemuxer,
  FlvTagReader,
  readFlvTags,
} from "../src/formats/flv/mod.ts";
import {
  decodedFrames,
  ffprobeJson,
  FIXTURE_FLV,
  heapBytes,
  makeFlv,
  replayFlv,
  requireTool,
  startTestServer,
  waitFor,
  wsBytes,
} from "./support/mod.ts";

requireTool("ffmpeg");
requireTool("ffprobe");

let source: Uint8Array | undefined;
async function sourceFlv(): Promise<Uint8Array> {
  if (!source) {
    const dir = await Deno.makeTempDir();
    source = await makeFlv(`${dir}/src.flv`, 10);
    await Deno.remove(dir, { recursive: true });
  }
  return source;
}

Deno.test("http-flv + ws-flv: ffmpeg decodes ≥ 200 frames, ffprobe sees H264 High 640x360 + AAC", async () => {
  const flv = await sourceFlv();
  const ts = await startTestServer();
  const { hub } = ts;
  const base = `127.0.0.1:${ts.port("http")}/live/cam.flv`;
  try {
    // The players ask first and wait for the publisher (playWaitMs).
    const players = [
      decodedFrames(`http://${base}`, {
        frames: 200,
        timeoutMs: 25_000,
        inputArgs: ["-rw_timeout", "5000000"],
      }),
      decodedFrames("-", { frames: 200, timeoutMs: 25_000, stdin: wsBytes(`ws://${base}`) }),
    ];
    await new Promise((r) => setTimeout(r, 300));
    const pub = await replayFlv(hub, flv, { name: "cam" });
    const probe = await ffprobeJson(`http://${base}`, {
      timeoutMs: 15_000,
      inputArgs: ["-rw_timeout", "5000000"],
    });
    const v = probe.streams.find((s) => s.codec_type === "video")!;
    const a = probe.streams.find((s) => s.codec_type === "audio")!;
    assert.deepEqual([v.codec_name, v.profile, v.width, v.height], ["h264", "High", 640, 360]);
    assert.deepEqual([a.codec_name, a.sample_rate, a.channels], ["aac", "44100", 2]);
    const counts = Object.fromEntries(pub.stream.players);
    assert.equal(counts["http-flv"] >= 1 && counts["ws-flv"] === 1, true, JSON.stringify(counts));
    const [http, ws] = await Promise.all(players);
    assert.ok(http.frames >= 200, `http-flv decoded ${http.frames}: ${http.stderr}`);
    assert.ok(ws.frames >= 200, `ws-flv decoded ${ws.frames}: ${ws.stderr}`);
    pub.stop();
    await pub.done;
    await waitFor(() => [...pub.stream.players.values()].every((n) => n === 0), 5000, "players released");
  } finally {
    await ts.close();
  }
});

Deno.test("http-flv: 404 fast when not live, 400 on bad names, 403 for apps not allowed, HEAD", async () => {
  // notfound=reject: a player of a stream that is not live gets 404 at once.
  const ts = await startTestServer({ rtmp: { notfound: "reject" } });
  const { hub } = ts;
  const base = ts.http("");
  try {
    const cases: [string, number, string?][] = [
      ["/live/none.flv", 404],
      ["/sky/cam.flv", 403],
      ["/live/.hidden.flv", 400],
      ["/live/none.flv", 404, "HEAD"],
    ];
    for (const [path, status, method] of cases) {
      const t0 = Date.now();
      const res = await fetch(base + path, { method: method ?? "GET" });
      await res.body?.cancel();
      assert.equal(res.status, status, path);
      assert.ok(Date.now() - t0 < 1000, "answers at once");
    }
    const pub = await replayFlv(hub, await sourceFlv(), { name: "h" });
    const head = await fetch(`${base}/live/h.flv`, { method: "HEAD" });
    assert.deepEqual([head.status, head.headers.get("content-type")], [200, "video/x-flv"]);
    await head.body?.cancel();
    // The last FLV player leaving drops the stream's FLV fan-out (no muxing for nobody).
    const res = await fetch(`${base}/live/h.flv`);
    const r = res.body!.getReader();
    await r.read();
    assert.equal(
      pub.stream.outputs.peek<Fanout>("flv:legacy")?.size,
      1,
    );
    await r.cancel();
    await waitFor(() => !pub.stream.outputs.has("flv:legacy"), 2000, "fan-out dropped");
    pub.stop();
    await pub.done;
  } finally {
    await ts.close();
  }
});

Deno.test("http-flv: the response ends when the stream ends; server close ends live players", async () => {
  const ts = await startTestServer({ rtmp: { batchms: 10 } });
  const { hub } = ts;
  const url = ts.http("/live/e.flv");
  try {
    const pub = await replayFlv(hub, await sourceFlv(), { name: "e" });
    const res = await fetch(url);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.deepEqual([...first.value!.subarray(0, 3)], [0x46, 0x4c, 0x56], "FLV signature");
    pub.stop(); // the replay ends the stream
    await pub.done;
    let bytes = first.value!.length;
    while (true) {
      const r = await reader.read();
      if (r.done) break;
      bytes += r.value.length;
    }
    assert.ok(bytes > 13);

    const pub2 = await replayFlv(hub, await sourceFlv(), { name: "e" });
    const res2 = await fetch(url);
    const r2 = res2.body!.getReader();
    await r2.read();
    const ws = wsBytes(url.replace("http:", "ws:")).getReader();
    assert.ok((await ws.read()).value!.length > 13);
    // Turning the HTTP service off closes its listeners; the stream itself stays live.
    const t0 = Date.now();
    await ts.reload({ http: { enable: false } });
    assert.ok(Date.now() - t0 < 3000, `close took ${Date.now() - t0} ms`);
    while (!(await r2.read()).done) { /* drain to the end */ }
    while (!(await ws.read()).done) { /* drain to the end */ }
    assert.equal(pub2.stream.isEnded, false, "the stream outlived the HTTP service");
    pub2.stop();
    await pub2.done;
  } finally {
    await ts.close();
  }
});

/** The fixture's real H.264 track (a made-up SPS would not survive the muxer's checks). */
function fixtureVideo(): VideoTrack {
  const d = new FlvDemuxer();
  for (const t of readFlvTags(Deno.readFileSync(FIXTURE_FLV)).tags) {
    if (t.type === FLV_TAG_VIDEO) d.video(t.body, t.timestamp);
    if (d.videoTrack) return d.videoTrack;
  }
  throw new Error("no video track in the fixture");
}

Deno.test("http-flv + ws-flv: players that stop reading are dropped to keyframes, then disconnected; others keep playing", async () => {
  // A 512 KB backlog per player (`<http><flvblock>`), short batches.
  const ts = await startTestServer({ http: { flvblock: 512 }, rtmp: { batchms: 10 } });
  const { hub } = ts;
  const port = ts.port("http");
  const stream = await hub.publish({
    role: "publisher",
    protocol: "rtmp",
    app: "live",
    name: "fat",
    vhost: "",
    query: "",
  });
  const bigVideo = fixtureVideo();
  stream.setTrack(bigVideo);
  // ~48 Mbit/s of 200 KB frames: enough to fill the loopback socket buffers within seconds.
  const payload = new Uint8Array(200_000);
  let n = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < 2; i++, n++) {
      stream.write({ track: bigVideo, dts: n * 3000, pts: n * 3000, key: n % 10 === 0, data: payload });
    }
  }, 66);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const wsConn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    // The stuck players (HTTP-FLV and WS-FLV): they ask and never read.
    await conn.write(new TextEncoder().encode(`GET /live/fat.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
    await wsConn.write(
      new TextEncoder().encode(
        `GET /live/fat.flv HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    await waitFor(
      () => stream.players.get("http-flv") === 1 && stream.players.get("ws-flv") === 1,
      3000,
      "stuck players attached",
    );
    // A healthy player reading alongside.
    const healthy = (await fetch(ts.http("/live/fat.flv"))).body!.getReader();
    let healthyBytes = 0;
    const reading = (async () => {
      while (true) {
        const r = await healthy.read();
        if (r.done) return;
        healthyBytes += r.value.length;
      }
    })();
    const mem0 = heapBytes();
    // Dropped to keyframes until the drop limit, or cut off by the stall deadline (15 s by default).
    await waitFor(
      () => stream.players.get("http-flv") === 1 && stream.players.get("ws-flv") === 0 && healthyBytes > 0,
      25_000,
      "stuck players disconnected",
    );
    const after = healthyBytes;
    await waitFor(() => healthyBytes > after + 2_000_000, 5000, "healthy player still receiving");
    const grew = heapBytes() - mem0;
    assert.ok(grew < 64 << 20, `heap and buffers grew by ${grew >> 20} MB`);
    stream.end();
    await reading;
  } finally {
    clearInterval(timer);
    conn.close();
    wsConn.close();
    await ts.close();
  }
});

Deno.test("http-flv: 20 players on one stream all receive it from one shared fan-out", async () => {
  const ts = await startTestServer();
  const { hub } = ts;
  try {
    const readers = Array.from({ length: 20 }, async () => {
      const res = await fetch(ts.http("/live/many.flv"));
      const tags = new FlvTagReader();
      let video = 0, audio = 0;
      for await (const chunk of res.body!) {
        for (const t of tags.push(chunk)) {
          if (t.type === FLV_TAG_VIDEO) video++;
          else if (t.type === FLV_TAG_AUDIO) audio++;
        }
      }
      return { video, audio };
    });
    await new Promise((r) => setTimeout(r, 200));
    const pub = await replayFlv(hub, await Deno.readFile(FIXTURE_FLV), { name: "many" });
    await waitFor(() => pub.stream.players.get("http-flv") === 20, 3000, "20 players");
    assert.equal(pub.stream.outputs.peek<Fanout>("flv:legacy")?.size, 20);
    await pub.done;
    for (const r of await Promise.all(readers)) {
      assert.ok(r.video >= 55 && r.audio >= 80, JSON.stringify(r));
    }
  } finally {
    await ts.close();
  }
});

Deno.test("http-flv: a player joining mid-GOP starts at once from the cached keyframe (fast start)", async () => {
  const ts = await startTestServer();
  const { hub } = ts;
  try {
    const pub = await replayFlv(hub, await Deno.readFile(FIXTURE_FLV), { name: "mid" });
    await new Promise((r) => setTimeout(r, 1400)); // keyframes every 1 s: join 0.4 s into a GOP
    const t0 = Date.now();
    const res = await fetch(ts.http("/live/mid.flv"));
    const reader = new FlvTagReader();
    const demux = new FlvDemuxer();
    let first: { key: boolean; ms: number; after: number } | undefined;
    for await (const chunk of res.body!) {
      for (const t of reader.push(chunk)) {
        const f = t.type === FLV_TAG_VIDEO ? demux.video(t.body, t.timestamp) : null;
        if (f && !first) first = { key: f.key, ms: t.timestamp, after: Date.now() - t0 };
      }
      if (first) break;
    }
    assert.ok(first?.key, "the first video frame is a keyframe");
    assert.ok(first!.ms >= 900 && first!.ms <= 1100, `starts at the last keyframe (${first!.ms} ms)`);
    assert.ok(first!.after < 500, `first frame after ${first!.after} ms`);
    pub.stop();
    await pub.done;
  } finally {
    await ts.close();
  }
});
