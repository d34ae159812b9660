/**
 * HTTP-FLV and WS-FLV with real clients (ffmpeg, ffprobe). The publisher is an ffmpeg-made FLV file
 * replayed into the hub at real time, so these tests do not depend on the RTMP server.
 */
import assert from "node:assert/strict";
import { decodedFrames, ffprobeJson, requireTool, testHub, waitFor } from "./support/mod.ts";
import { makeFlv, replayFlv, startHttp, testHttpDeps, wsBytes } from "./http_support.ts";

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
  const hub = testHub();
  const server = await startHttp(testHttpDeps(hub, { playWaitMs: 5000 }));
  const base = `127.0.0.1:${server.port}/live/cam.flv`;
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
    await server.close();
    hub.close();
  }
});

Deno.test("http-flv: 404 fast when not live, 400 on bad names, 403 for apps not allowed, HEAD", async () => {
  const hub = testHub();
  const server = await startHttp(testHttpDeps(hub, { playWaitMs: 0 }));
  const base = `http://127.0.0.1:${server.port}`;
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
    pub.stop();
    await pub.done;
  } finally {
    await server.close();
    hub.close();
  }
});

Deno.test("http-flv: the response ends when the stream ends; server close ends live players", async () => {
  const hub = testHub();
  const deps = testHttpDeps(hub, { playWaitMs: 2000, flvBatchMs: 10 });
  const server = await startHttp(deps);
  const url = `http://127.0.0.1:${server.port}/live/e.flv`;
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
    const t0 = Date.now();
    await server.close();
    assert.ok(Date.now() - t0 < 3000, `close took ${Date.now() - t0} ms`);
    while (!(await r2.read()).done) { /* drain to the end */ }
    while (!(await ws.read()).done) { /* drain to the end */ }
    pub2.stop();
    await pub2.done;
  } finally {
    await server.close();
    hub.close();
  }
});
