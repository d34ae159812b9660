/**
 * Edge pull (<cluster><origin>): players on an edge server get a stream published on an origin
 * (another Estuary, or nginx-rtmp), all of them through one pull; the pull stops <edgeidle> after the
 * last player; a dead first origin moves on to the next; two servers naming each other are refused.
 */
import assert from "node:assert/strict";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  startNginxRtmp,
  startTestServer,
  waitLive,
} from "./support/mod.ts";

requireTool("ffmpeg");

const playersOf = (s: { players: ReadonlyMap<string, number> } | undefined) =>
  s ? [...s.players.values()].reduce((a, b) => a + b, 0) : 0;

async function until(what: string, ms: number, ok: () => boolean): Promise<number> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - t0;
}

Deno.test("edge pull: RTMP and HTTP-FLV players on the edge share one pull from the origin; it stops after edgeidle", async () => {
  const origin = await startTestServer();
  const pub = ffmpegPublish({
    url: origin.rtmp("/live/cam"),
    format: "flv",
    seconds: 40,
    video: H264B,
    audio: AAC,
  });
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dead = (l.addr as Deno.NetAddr).port; // a port nobody listens on: the first origin is down
  l.close();
  const edge = await startTestServer({
    cluster: { origin: `127.0.0.1:${dead}, rtmp://127.0.0.1:${origin.ports.rtmp}`, edgeidle: 2 },
    rtmp: { fwdtimeout: 3000 },
  });
  try {
    await waitLive(origin.hub, "live/cam");
    const t0 = performance.now();
    const [rtmp, flv] = await Promise.all([
      decodedFrames(edge.rtmp("/live/cam"), { frames: 90, timeoutMs: 25_000 }),
      (async () => {
        // The second player joins while the first one's pull is running: it must not start another.
        await until("the edge's stream", 15_000, () => edge.hub.get("live/cam") !== undefined);
        assert.equal(playersOf(origin.hub.get("live/cam")), 1, "one pull on the origin");
        return await decodedFrames(edge.http("/live/cam.flv"), { frames: 60, timeoutMs: 20_000 });
      })(),
    ]);
    const ms = Math.round(performance.now() - t0);
    assert.equal(rtmp.frames, 90, rtmp.stderr.slice(-300));
    assert.equal(flv.frames, 60, flv.stderr.slice(-300));
    assert.ok(edge.lines.some((l) => l.includes("edge pull failed; next origin") && l.includes(`:${dead}/`)));
    assert.ok(edge.lines.some((l) => l.includes("edge pull start")));
    // Both players have left: within edgeidle (2 s) + a little, the pull ends on both sides.
    const stopMs = await until("the pull to stop", 8000, () => !edge.hub.get("live/cam"));
    await until("the origin to lose its player", 5000, () => playersOf(origin.hub.get("live/cam")) === 0);
    console.log(
      `edge: 90 frames decoded through the edge in ${ms} ms (dead origin first); pull stopped ${stopMs} ms after the players`,
    );
  } finally {
    await pub.stop();
    await edge.close();
    await origin.close();
  }
});

Deno.test("edge pull: nginx-rtmp as the origin", async () => {
  const nginx = await startNginxRtmp();
  const pub = ffmpegPublish({
    url: nginx.rtmp("/live/ngx"),
    format: "flv",
    seconds: 30,
    video: H264B,
    audio: AAC,
  });
  const edge = await startTestServer({
    cluster: { origin: `127.0.0.1:${nginx.port}` },
    rtmp: { fwdtimeout: 3000 },
  });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const r = await decodedFrames(edge.rtmp("/live/ngx"), { frames: 60, timeoutMs: 20_000 });
    assert.equal(r.frames, 60, r.stderr.slice(-300));
  } finally {
    await pub.stop();
    await edge.close();
    await nginx.close();
  }
});

Deno.test("edge pull: two servers naming each other as origins refuse the loop and the player is told", async () => {
  const a = await startTestServer({ rtmp: { fwdtimeout: 1500 } });
  const b = await startTestServer({
    cluster: { origin: `127.0.0.1:${a.ports.rtmp}` },
    rtmp: { fwdtimeout: 1500 },
  });
  await a.reload({ cluster: { origin: `127.0.0.1:${b.ports.rtmp}` }, rtmp: { fwdtimeout: 1500 } });
  try {
    const t0 = performance.now();
    const r = await decodedFrames(a.rtmp("/live/none"), { frames: 10, timeoutMs: 20_000 });
    assert.equal(r.frames, 0);
    const ms = performance.now() - t0;
    assert.ok(ms < 15_000, `the player was told within ${Math.round(ms)} ms`);
    assert.ok(
      [...a.lines, ...b.lines].some((l) => l.includes("edge pull refused: a loop through this server")),
      "one side refuses the loop",
    );
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("edge pull: an Estuary SRT output as the origin", async () => {
  const origin = await startTestServer();
  const pub = ffmpegPublish({
    url: origin.rtmp("/live/cam"),
    format: "flv",
    seconds: 30,
    video: H264B,
    audio: AAC,
  });
  const edge = await startTestServer({
    cluster: { origin: `srt://127.0.0.1:${origin.ports.srt}` },
    rtmp: { fwdtimeout: 3000 },
  });
  try {
    await waitLive(origin.hub, "live/cam");
    const r = await decodedFrames(edge.http("/live/cam.flv"), { frames: 60, timeoutMs: 20_000 });
    assert.equal(r.frames, 60, `${r.stderr.slice(-300)}\n${edge.lines.slice(-12).join("\n")}`);
    assert.ok(edge.lines.some((l) => l.includes("edge pull start") && l.includes("srt://")));
  } finally {
    await pub.stop();
    await edge.close();
    await origin.close();
  }
});

Deno.test("edge pull with the auth callback on both servers: the player's token reaches the origin with the pull; a bad token is refused at the edge", async () => {
  const asked: string[] = [];
  const auth = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const u = new URL(req.url);
    asked.push(u.pathname + u.search);
    return new Response(null, { status: u.searchParams.get("token") === "good" ? 200 : 403 });
  });
  const authurl = { host: `127.0.0.1:${auth.addr.port}`, router: "/auth" };
  const origin = await startTestServer({ authurl });
  const pub = ffmpegPublish({
    url: origin.rtmp("/live/cam?token=good"),
    format: "flv",
    seconds: 40,
    video: H264B,
    audio: AAC,
  });
  const edge = await startTestServer({
    authurl,
    cluster: { origin: `rtmp://127.0.0.1:${origin.ports.rtmp}`, edgeidle: 2 },
    rtmp: { fwdtimeout: 3000 },
  });
  try {
    await waitLive(origin.hub, "live/cam");
    const good = await decodedFrames(edge.rtmp("/live/cam?token=good"), { frames: 60, timeoutMs: 20_000 });
    assert.equal(good.frames, 60, good.stderr.slice(-300));
    const bad = await decodedFrames(edge.rtmp("/live/cam?token=bad"), { frames: 30, timeoutMs: 10_000 });
    assert.equal(bad.frames, 0, "a bad token is refused at the edge");
    // The pull asked the origin with the first player's token; nothing was asked without a token.
    assert.ok(
      asked.some((a) => a.startsWith("/auth/live/cam?token=good&type=rtmp&role=player")),
      asked.join("\n"),
    );
    assert.deepEqual(
      asked.filter((a) => !a.includes("token=")),
      [],
      "every callback carried a client's token",
    );
    console.log(`edge + auth: 60 frames through the edge with the player's token; ${asked.length} callbacks`);
  } finally {
    await pub.stop();
    await edge.close();
    await origin.close();
    await auth.shutdown();
  }
});
