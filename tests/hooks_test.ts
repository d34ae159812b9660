/**
 * `<hooks>`: ffmpeg publishes to a record app for 4 s; the hook server hears publish, unpublish (with its
 * duration and bytes) and record_done, whose URL ffprobe plays. A hook server that is down costs the
 * stream nothing: ffmpeg still plays, and /metrics counts the failed calls.
 */
import assert from "node:assert/strict";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  ffprobeJson,
  H264B,
  requireTool,
  startTestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";

requireTool("ffmpeg");

Deno.test("hooks: publish, unpublish and record_done reach the hook server in order; the recording it names plays", async () => {
  const got: Record<string, unknown>[] = [];
  const hooks = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    got.push({ ...(await req.json()), ua: req.headers.get("user-agent") });
    return new Response(null, { status: 204 });
  });
  const ts = await startTestServer({
    hooks: { url: `http://127.0.0.1:${hooks.addr.port}/events` },
    http: { recmode: 1, hlsduration: 1 },
  });
  try {
    const pub = ffmpegPublish({
      url: ts.rtmp("/rec/cam?token=t1"),
      format: "flv",
      seconds: 4,
      video: H264B,
      audio: AAC,
    });
    await waitLive(ts.hub, "rec/cam");
    await pub.exited;
    await waitFor(() => got.some((e) => e.event === "record_done"), 15_000, "record_done");
    const events = got.map((e) => e.event);
    assert.deepEqual(events, ["publish", "unpublish", "record_done"]);
    assert.deepEqual(got.map((e) => e.seq), [1, 2, 3]);
    const [publish, unpublish, done] = got;
    assert.deepEqual(
      [publish.key, publish.app, publish.name, publish.protocol, publish.query, publish.ua],
      ["rec/cam", "rec", "cam", "rtmp", "token=t1", "Estuary"],
    );
    assert.ok(Number(unpublish.duration_s) >= 3, `duration ${unpublish.duration_s}`);
    assert.ok(Number(unpublish.bytes) > 10_000 && Number(unpublish.frames) > 100, JSON.stringify(unpublish));
    assert.match(String(done.url), /^\/rec\/cam\/\d{4}-\d{2}-\d{2}\/\d{2}-\d{2}-\d{2}\.m3u8$/);
    const probe = await ffprobeJson(ts.http(String(done.url)), { timeoutMs: 15_000 });
    const seconds = Number(probe.format?.duration ?? 0);
    assert.ok(
      Math.abs(seconds - Number(done.duration_s)) < 1.5,
      `ffprobe ${seconds} s, hook ${done.duration_s} s`,
    );
    console.log(
      `hooks: ${
        events.join(", ")
      }; unpublish ${unpublish.duration_s} s ${unpublish.bytes} bytes; recording ${done.url} ${seconds} s`,
    );
  } finally {
    await ts.close();
    await hooks.shutdown();
  }
});

Deno.test("hooks: a hook server that is down costs the stream nothing; the failed calls are counted", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close(); // nothing listens there
  const ts = await startTestServer({ hooks: { url: `http://127.0.0.1:${port}/events`, timeout: 500 } });
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/down"),
    format: "flv",
    seconds: 20,
    video: H264B,
    audio: AAC,
  });
  try {
    await waitLive(ts.hub, "live/down");
    const r = await decodedFrames(ts.rtmp("/live/down"), { frames: 60, timeoutMs: 15_000 });
    assert.equal(r.frames, 60, r.stderr.slice(-300));
    const metrics = await (await fetch(ts.http("/metrics"))).text();
    assert.match(metrics, /^estuary_hook_calls_total\{event="publish",result="failed"\} 1$/m);
    assert.match(
      metrics,
      /^estuary_hook_calls_total\{event="record_done",result="ok"\} 0$/m,
      "listed before any",
    );
    assert.ok(ts.lines.some((l) => l.includes("hook call failed")), "one log line says so");
  } finally {
    await pub.stop();
    await ts.close();
  }
});

Deno.test("hooks: play and stop (events play) for RTMP and HTTP-FLV players (ffmpeg); HLS polls raise none", async () => {
  const got: Record<string, unknown>[] = [];
  const hooks = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    got.push(await req.json());
    return new Response(null, { status: 200 });
  });
  const ts = await startTestServer({
    hooks: { url: `http://127.0.0.1:${hooks.addr.port}/events`, events: "play" },
    http: { hlsduration: 1 },
  });
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/p"),
    format: "flv",
    seconds: 30,
    video: H264B,
    audio: AAC,
  });
  try {
    await waitLive(ts.hub, "live/p");
    const played = await Promise.all([
      decodedFrames(ts.rtmp("/live/p?viewer=1"), { frames: 30, timeoutMs: 15_000 }),
      decodedFrames(ts.http("/live/p.flv?viewer=2"), { frames: 30, timeoutMs: 15_000 }),
      decodedFrames(ts.http("/live/p.m3u8?viewer=3"), { frames: 30, timeoutMs: 20_000 }),
    ]);
    for (const p of played) assert.equal(p.frames, 30, p.stderr.slice(-300));
    await waitFor(() => got.filter((e) => e.event === "stop").length >= 2, 10_000, "two stops");
    const plays = got.filter((e) => e.event === "play").map((e) => `${e.protocol}${e.ext} ${e.query}`).sort();
    assert.deepEqual(plays, ["http.flv viewer=2", "rtmp viewer=1"]);
    const stops = got.filter((e) => e.event === "stop");
    assert.deepEqual(stops.map((e) => e.protocol).sort(), ["http-flv", "rtmp"]);
    for (const s of stops) {
      assert.equal(s.key, "live/p");
      assert.ok(Number(s.bytes) > 1000 && Number(s.duration_s) > 0, JSON.stringify(s));
    }
    assert.ok(!got.some((e) => e.event === "publish"), "publish events are off");
    console.log(`hooks play: ${got.map((e) => `${e.event}:${e.protocol}`).join(", ")}`);
  } finally {
    await pub.stop();
    await ts.close();
    await hooks.shutdown();
  }
});
