/**
 * HLS and DASH behind an HTTP cache (nginx proxy_cache + proxy_cache_lock, as a CDN edge does): 20 ffmpeg
 * players through the cache, and the origin serves each segment about once (immutable segments, short-
 * lived playlists and MPDs); LL-HLS blocking requests are cached per `_HLS_msn`/`_HLS_part`.
 */
import assert from "node:assert/strict";
import {
  AAC,
  type CacheLogEntry,
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  startNginxCache,
  startTestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";

const PLAYERS = 20;

/** Origin requests per distinct URI among the entries `pick` selects. */
function perUri(log: CacheLogEntry[], pick: RegExp) {
  const hits = log.filter((e) => pick.test(e.uri));
  const uris = new Set(hits.map((e) => e.uri)).size;
  const origin = hits.filter((e) => e.origin).length;
  return {
    requests: hits.length,
    uris,
    origin,
    perUri: origin / Math.max(1, uris),
    ok: hits.every((e) => e.status === 200),
  };
}

/** `PLAYERS` ffmpeg players (packet copy: 20 decoders would not fit 2 cores), joining 200 ms apart. */
async function players(url: string, frames: number) {
  const runs = [];
  for (let i = 0; i < PLAYERS; i++) {
    runs.push(decodedFrames(url, { frames, copy: true, timeoutMs: 60_000 }));
    await new Promise((r) => setTimeout(r, 200));
  }
  return await Promise.all(runs);
}

for (const kind of ["hls", "dash"] as const) {
  Deno.test(`${kind.toUpperCase()} through nginx proxy_cache: ${PLAYERS} players, origin requests per segment <= 1.2`, async () => {
    requireTool("ffmpeg");
    requireTool("nginx");
    const ts = await startTestServer({ http: { hlsduration: 1 } });
    const cache = await startNginxCache({ port: ts.port("http") });
    const pub = ffmpegPublish({
      url: ts.rtmp("/live/cdn"),
      format: "flv",
      seconds: 50,
      video: H264B,
      audio: AAC,
    });
    try {
      await waitLive(ts.hub, "live/cdn");
      const manifest = kind === "hls" ? "/live/cdn.m3u8" : "/live/cdn.mpd";
      const results = await players(cache.url(manifest), 240);
      for (const r of results) assert.ok(r.frames >= 200, `a player got ${r.frames} frames: ${r.stderr}`);
      const log = await cache.log();
      const seg = perUri(
        log,
        kind === "hls" ? /^\/live\/cdn\/\d+\.ts$/ : /^\/live\/cdn\/dash\/[va]\d+\.m4s$/,
      );
      const man = perUri(log, kind === "hls" ? /^\/live\/cdn\.m3u8/ : /^\/live\/cdn\.mpd/);
      console.log(
        `${kind} behind nginx proxy_cache, ${PLAYERS} players: ${seg.requests} segment requests for ${seg.uris} ` +
          `segments, ${seg.origin} reached the origin (${seg.perUri.toFixed(2)} per segment); ` +
          `${
            kind === "hls" ? "playlist" : "MPD"
          }: ${man.requests} requests, ${man.origin} reached the origin`,
      );
      assert.ok(
        seg.requests >= PLAYERS * seg.uris * 0.5,
        "the players fetched the segments through the cache",
      );
      assert.ok(seg.perUri <= 1.2, `origin requests per segment ${seg.perUri}`);
      assert.ok(seg.ok, "every segment answered 200");
      assert.ok(man.origin < man.requests / 4, `manifests from the origin: ${man.origin} of ${man.requests}`);
    } finally {
      await pub.stop();
      await cache.close();
      await ts.close();
    }
  });
}

Deno.test("LL-HLS blocking playlist requests through the cache: one origin request per _HLS_msn/_HLS_part", async () => {
  requireTool("ffmpeg");
  requireTool("nginx");
  const ts = await startTestServer({ http: { hlsduration: 1 } });
  const cache = await startNginxCache({ port: ts.port("http") });
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/ll"),
    format: "flv",
    seconds: 30,
    video: H264B,
    audio: AAC,
  });
  try {
    await waitLive(ts.hub, "live/ll");
    const first = await fetch(cache.url("/live/ll.m3u8?fmp4&ll"));
    const text = await first.text();
    assert.equal(first.status, 200, text);
    const seq = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)![1]);
    const segments = text.split("\n").filter((l) => /^[^#].*\.m4s$/.test(l)).length;
    const next = seq + segments;
    // 8 players ask for the same future part at once: the cache holds them on one origin request.
    const path = `/live/ll.m3u8?fmp4&ll&_HLS_msn=${next}&_HLS_part=1`;
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(cache.url(path))));
    const bodies = await Promise.all(answers.map((r) => r.text()));
    for (const r of answers) assert.equal(r.status, 200);
    assert.match(answers[0].headers.get("cache-control") ?? "", /public, max-age=\d+/);
    assert.ok(bodies.every((b) => b === bodies[0] && b.includes(`${next}.m4s`) || b.includes(`PART`)));
    // nginx writes an access-log line once it has finished the request, which can be just after the client
    // has its answer: wait (briefly) for all eight.
    const log = await waitFor(
      async () => {
        const entries = (await cache.log()).filter((e) => e.uri === path);
        return entries.length >= 8 ? entries : undefined;
      },
      3000,
      "eight access-log lines",
    ).catch(async () => (await cache.log()).filter((e) => e.uri === path));
    assert.equal(log.length, 8);
    assert.equal(log.filter((e) => e.origin).length, 1, JSON.stringify(log));
  } finally {
    await pub.stop();
    await cache.close();
    await ts.close();
  }
});
