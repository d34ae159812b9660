/**
 * Reload in place through the real server (startTestServer): an ffmpeg RTMP publisher, an ffmpeg RTMP
 * player and an ffmpeg HTTP-FLV player keep going while a reload changes <rtmp><batchms>,
 * <rtmp><maxidle> and the auth URL (new players are then asked about); then a reload moves the RTMP
 * port: the connected publisher keeps streaming through its old connection, a new player connects on
 * the new port, and neither first player ever sees a gap over 1 s.
 */
import assert from "node:assert/strict";
import { AAC, ffmpegPublish, H264B, startTestServer, waitFor } from "./support/mod.ts";
import { type Arrival, flvPlayer, gaps } from "./support/flv_player.ts";

const KEY = "live/reload";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function refused(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch (err) {
    return err instanceof Deno.errors.ConnectionRefused;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An auth callback that allows everything and remembers what it was asked. */
function authServer() {
  const asked: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const u = new URL(req.url);
    asked.push(u.pathname + u.search);
    return new Response("ok");
  });
  return { asked, url: `http://127.0.0.1:${server.addr.port}/auth`, close: () => server.shutdown() };
}

function assertSmooth(name: string, video: Arrival[], from: number, end: number) {
  assert.ok(end - video[video.length - 1].at < 1000, `the ${name} player is still receiving`);
  const g = gaps(video, from);
  assert.ok(g.wallMs < 1000, `the ${name} player waited ${g.wallMs} ms for a frame`);
  assert.ok(g.tsMs < 1000, `the ${name} player's timestamps jumped ${g.tsMs} ms`);
  const seconds = (end - from) / 1000;
  const frames = video.filter((v) => v.at >= from).length;
  assert.ok(frames >= seconds * 30 * 0.8, `${name}: ${frames} frames in ${seconds.toFixed(1)} s`);
}

Deno.test("reload in place: batchms, maxidle and the auth URL keep RTMP and HTTP-FLV players playing; a port move keeps the publisher", async () => {
  const auth = authServer();
  const ts = await startTestServer({ rtsp: { enable: false }, srt: { enable: false } });
  const server = ts.server;
  const oldPort = server.port("rtmp");
  const publisher = ffmpegPublish({
    url: `rtmp://127.0.0.1:${oldPort}/${KEY}`,
    format: "flv",
    seconds: 40,
    video: H264B,
    audio: AAC,
  });
  const first = flvPlayer(`rtmp://127.0.0.1:${oldPort}/${KEY}`);
  const httpFlv = flvPlayer(`http://127.0.0.1:${server.port("http")}/${KEY}.flv`);
  let second: ReturnType<typeof flvPlayer> | undefined;
  try {
    const stream = await waitFor(() => server.hub.get(KEY), 10_000, "the publisher's stream");
    await waitFor(() => first.video.length >= 30, 10_000, "the first player's frames");
    await waitFor(() => httpFlv.video.length >= 30, 10_000, "the HTTP-FLV player's frames");
    const rtmp = server.service("rtmp");
    const http = server.service("http");
    const playingFrom = Date.now();

    // 1. Batch window, publisher idle limit and auth callback: applied in place, nothing restarts.
    await sleep(1500);
    const tuned = structuredClone(server.config);
    tuned.rtmp.batchms = 50;
    tuned.rtmp.maxidle = 20;
    tuned.authurl = {
      ...tuned.authurl,
      host: auth.url.slice(0, -"/auth".length),
      router: "/auth",
      url: auth.url,
    };
    assert.deepEqual(await server.reload(tuned), ["authurl", "rtmp"]);
    assert.equal(server.service("rtmp"), rtmp, "updated in place, not restarted");
    assert.equal(server.service("http"), http, "updated in place, not restarted");
    assert.equal(server.port("rtmp"), oldPort);
    assert.ok(
      ts.lines.some((l) => /config reloaded .*updated=http,rtmp .*restarted=none/.test(l)),
      "logged as updated in place",
    );
    // New players now go through the new callback; the ones already playing were admitted before.
    const probe = await fetch(`http://127.0.0.1:${server.port("http")}/${KEY}.flv?token=t1`);
    await probe.body?.cancel();
    assert.equal(probe.status, 200);
    const want = `/auth/${KEY}.flv?token=t1&type=http&role=player`;
    assert.ok(auth.asked.includes(want), `${want} not in ${auth.asked.join(" ")}`);
    await sleep(2000);

    // 2. The port moves: the publisher's connection (accepted on the old port) keeps streaming.
    const newPort = freePort();
    assert.deepEqual(await ts.reload({ rtmp: { port: newPort } }), ["rtmp"]);
    assert.equal(server.service("rtmp"), rtmp, "updated in place, not restarted");
    assert.equal(server.port("rtmp"), newPort);
    assert.ok(await refused(oldPort), "the old port no longer accepts");
    let last = stream.stats.framesIn;
    for (let i = 0; i < 6; i++) {
      await sleep(500);
      const now = stream.stats.framesIn;
      assert.ok(now > last, `frames in stalled ${(i + 1) * 500} ms after the move (${last} → ${now})`);
      last = now;
    }
    assert.equal(server.hub.get(KEY), stream, "the same publish, never interrupted");

    // 3. A new player on the new port.
    second = flvPlayer(`rtmp://127.0.0.1:${newPort}/${KEY}`);
    await waitFor(() => second!.video.length >= 30, 10_000, "the second player's frames");

    // Both first players kept playing through both reloads.
    const end = Date.now();
    assertSmooth("RTMP", first.video, playingFrom, end);
    assertSmooth("HTTP-FLV", httpFlv.video, playingFrom, end);
  } catch (err) {
    console.error(ts.lines.slice(-40).join("\n"));
    throw err;
  } finally {
    const errs = await Promise.all([first.stop(), httpFlv.stop(), second?.stop(), publisher.stop()]);
    await ts.close();
    await auth.close();
    if (errs.some((e) => e && /error/i.test(e))) console.error(errs.filter(Boolean).join("\n"));
  }
});
