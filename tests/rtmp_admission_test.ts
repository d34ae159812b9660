/**
 * RTMP admission and lifecycle: busy key → NetStream.Publish.BadName, unknown app →
 * NetConnection.Connect.Rejected, unknown stream → NetStream.Play.StreamNotFound, the auth
 * callback's answer → Publish.Unauthorized / Play.Failed, and an idle publisher closed by maxidle
 * (its players told NetStream.Play.UnpublishNotify).
 */
import assert from "node:assert/strict";
import { RtmpClient } from "../src/protocols/rtmp/mod.ts";
import { hevcFrames } from "./support/rtmp_media.ts";
import { H264B, requireTool, run, SRC, startTestServer, waitFor } from "./support/mod.ts";

/** RTMP sessions open now (the RTMP service's stats). */
type RtmpStats = { connections: number };

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
  // notfound=reject: playing a stream that is not live fails at once.
  const ts = await startTestServer({ rtmp: { notfound: "reject" } });
  const base = ts.rtmp("");
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
    await ts.close();
  }
});

Deno.test("rtmp admission: auth callback allows one token and denies another, app and name queries merged", async () => {
  // The auth callback (smart_rtmpd's authurl): allows any request that carries token=good.
  const seen: string[] = [];
  const auth = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const u = new URL(req.url);
    const role = u.searchParams.get("role");
    const query = new URLSearchParams(u.search);
    query.delete("type");
    query.delete("role");
    seen.push(`${role} ${u.pathname.replace("/auth/", "")} ${query}`);
    return new Response(null, { status: query.getAll("token").includes("good") ? 200 : 403 });
  });
  const ts = await startTestServer({ authurl: { host: `127.0.0.1:${auth.addr.port}`, router: "/auth" } });
  const base = ts.rtmp("/live");
  const clients: RtmpClient[] = [];
  try {
    const bad = await RtmpClient.connect(`${base}/cam?token=bad`);
    await assert.rejects(bad.publish(), /NetStream\.Publish\.Unauthorized/);
    await bad.done;
    const good = await RtmpClient.connect(ts.rtmp("/live?user=u/cam?token=good"));
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
    await ts.close();
    await auth.shutdown();
  }
});

Deno.test("rtmp admission: an idle publisher is closed after maxidle and its players are told", async () => {
  requireTool("ffmpeg");
  // <rtmp><maxidle> is in whole seconds.
  const ts = await startTestServer({ rtmp: { maxidle: 1 } });
  const dir = ts.root;
  const url = ts.rtmp("/live/idle");
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
    await waitFor(() => ts.stats<RtmpStats>("rtmp").connections === 0, 3000, "sessions to end");
    const stop = ts.lines.find((l) => l.includes("rtmp session stop") && l.includes("role=publisher"));
    assert.match(stop ?? "", /reason="stream ended: idle for more than 1 s"/);
  } finally {
    await ts.close();
  }
});
