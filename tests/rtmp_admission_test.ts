/**
 * RTMP admission and lifecycle: busy key → NetStream.Publish.BadName, unknown app →
 * NetConnection.Connect.Rejected, unknown stream → NetStream.Play.StreamNotFound, the auth
 * callback's answer → Publish.Unauthorized / Play.Failed, and an idle publisher closed by maxidle
 * (its players told NetStream.Play.UnpublishNotify).
 */
import assert from "node:assert/strict";
import { AuthError } from "../src/core/mod.ts";
import { createLogger, MemorySink } from "../src/log/mod.ts";
import { createRtmpServer, RtmpClient } from "../src/protocols/rtmp/mod.ts";
import { hevcFrames } from "./rtmp_media.ts";
import { H264B, requireTool, run, SRC, testHub, waitFor } from "./support/mod.ts";

function setup(hubOpts: Parameters<typeof testHub>[0] = {}) {
  const sink = new MemorySink(2000);
  const log = createLogger({ sinks: [sink] });
  const hub = testHub({ log, ...hubOpts });
  const server = createRtmpServer({ hub, log, hostname: "127.0.0.1", port: 0 });
  return { sink, hub, server };
}

/** An ffmpeg publish that should be refused: it must exit non-zero, and fast. */
async function ffmpegRefused(url: string) {
  const t0 = Date.now();
  const r = await run("ffmpeg", [
    "-nostdin",
    "-v",
    "error",
    "-re",
    ...SRC(5, "160x120"),
    ...H264B,
    "-an",
    "-rw_timeout",
    "5000000",
    "-f",
    "flv",
    url,
  ], { timeoutMs: 15_000 });
  return { code: r.code, ms: Date.now() - t0, stderr: r.stderr };
}

Deno.test("rtmp admission: busy key, unknown app, unknown stream", async () => {
  requireTool("ffmpeg");
  const { hub, server } = setup();
  await server.start();
  const base = `rtmp://127.0.0.1:${server.port}`;
  const first = await RtmpClient.connect(`${base}/live/busy`);
  try {
    await first.publish();
    const second = await RtmpClient.connect(`${base}/live/busy`);
    await assert.rejects(second.publish(), /NetStream\.Publish\.BadName/);
    await second.done; // the server closes a refused publisher
    const ff = await ffmpegRefused(`${base}/live/busy`);
    assert.notEqual(ff.code, 0, "ffmpeg's second publish fails");
    assert.ok(ff.ms < 8000, `refused in ${ff.ms} ms`);

    await assert.rejects(RtmpClient.connect(`${base}/sky/x`), /NetConnection\.Connect\.Rejected/);
    const ffApp = await ffmpegRefused(`${base}/sky/x`);
    assert.notEqual(ffApp.code, 0, "ffmpeg publish to an unknown app fails");

    const player = await RtmpClient.connect(`${base}/live/nothing`);
    await assert.rejects(player.play(), /NetStream\.Play\.StreamNotFound/);
    await player.done;
    const ffPlay = await run("ffmpeg", [
      "-nostdin",
      "-v",
      "error",
      "-rw_timeout",
      "5000000",
      "-i",
      `${base}/live/nothing`,
      "-f",
      "null",
      "-",
    ], {
      timeoutMs: 15_000,
    });
    assert.notEqual(ffPlay.code, 0, "ffmpeg play of an unknown stream fails");
  } finally {
    first.close();
    await first.done;
    await server.close();
    hub.close();
  }
});

Deno.test("rtmp admission: auth callback allows one token and denies another, app and name queries merged", async () => {
  const seen: string[] = [];
  const { hub, server } = setup({
    authorize: (req) => {
      seen.push(`${req.role} ${req.app}/${req.name} ${req.query}`);
      if (!new URLSearchParams(req.query).getAll("token").includes("good")) {
        return Promise.reject(new AuthError(`token refused for ${req.name}`));
      }
      return Promise.resolve();
    },
  });
  await server.start();
  const base = `rtmp://127.0.0.1:${server.port}/live`;
  const clients: RtmpClient[] = [];
  try {
    const bad = await RtmpClient.connect(`${base}/cam?token=bad`);
    await assert.rejects(bad.publish(), /NetStream\.Publish\.Unauthorized/);
    await bad.done;
    const good = await RtmpClient.connect(`rtmp://127.0.0.1:${server.port}/live?user=u/cam?token=good`);
    clients.push(good);
    await good.publish();
    const badPlay = await RtmpClient.connect(`${base}/cam?token=nope`);
    await assert.rejects(badPlay.play(), /NetStream\.Play\.Failed/);
    await badPlay.done;
    const goodPlay = await RtmpClient.connect(`${base}/cam?token=good`);
    clients.push(goodPlay);
    await goodPlay.play();
    assert.deepEqual(seen, [
      "publisher live/cam token=bad",
      "publisher live/cam user=u&token=good",
      "player live/cam token=nope",
      "player live/cam token=good",
    ]);
  } finally {
    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.done));
    await server.close();
    hub.close();
  }
});

Deno.test("rtmp admission: an idle publisher is closed after maxidle and its players are told", async () => {
  requireTool("ffmpeg");
  const dir = await Deno.makeTempDir({ prefix: "rtmp_idle_" });
  const { sink, hub, server } = setup({ maxIdleMs: 1500 });
  await server.start();
  const url = `rtmp://127.0.0.1:${server.port}/live/idle`;
  try {
    const frames = (await hevcFrames(dir, 1)).slice(0, 10);
    const pub = await RtmpClient.connect(url);
    await pub.publish();
    for (const f of frames) await pub.write(f);
    const player = await RtmpClient.connect(url);
    await player.play();
    const t0 = Date.now();
    const [pubReason] = await Promise.all([pub.done, player.done]);
    const ms = Date.now() - t0;
    assert.ok(ms < 4000, `closed ${ms} ms after going idle`);
    assert.match(pubReason, /peer closed|reset/);
    assert.ok(player.statusCodes.includes("NetStream.Play.UnpublishNotify"), player.statusCodes.join());
    await waitFor(() => server.stats().connections === 0, 3000, "sessions to end");
    const stop = sink.lines.find((l) => l.includes("rtmp session stop") && l.includes("role=publisher"));
    assert.match(stop ?? "", /reason="stream ended: idle for more than 1.5 s"/);
  } finally {
    await server.close();
    hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});
