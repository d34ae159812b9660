import assert from "node:assert/strict";
import { Hub } from "../core/hub.ts";
import type { Frame } from "../core/frame.ts";
import type { Track } from "../core/track.ts";
import { nullLogger } from "../log/mod.ts";
import { TsDemuxer } from "../formats/mpegts/mod.ts";
import { parseMediaPlaylist } from "../formats/hls/mod.ts";
import { defaultHttpOptions, type HttpDeps } from "./deps.ts";
import { LiveSessions } from "./live_sessions.ts";
import { createHlsRoutes, defaultHlsOptions, type HlsOptions } from "./hls.ts";
import type { HotRequest } from "./front/mod.ts";
import { defaultDashOptions, routes as dashRoutes } from "./dash.ts";

async function fixture(): Promise<{ tracks: Track[]; frames: Frame[] }> {
  const tracks: Track[] = [], frames: Frame[] = [];
  const d = new TsDemuxer({ onTrack: (t) => tracks.push(t), onFrame: (f) => frames.push(f) });
  d.push(await Deno.readFile(new URL("../formats/segment/testdata/h264_aac_3s.mpegts", import.meta.url)));
  d.flush();
  return { tracks, frames };
}

async function setup(o: Partial<HlsOptions> = {}, declare = true) {
  const hub = new Hub({
    liveApps: ["live"],
    recApps: ["rec"],
    gop: { enabled: true, maxFrames: 1024, maxBytes: 1 << 24 },
    maxIdleMs: 0,
  });
  const sessions = new LiveSessions();
  const deps: HttpDeps = {
    hub,
    log: nullLogger,
    options: defaultHttpOptions(),
    status: () => ({ services: {}, startTime: new Date() }),
    publicUrls: () => [],
    sessions,
  };
  const hlsOpts = defaultHlsOptions({ targetMs: 1000, windowSize: 3, partTargetMs: 334, ...o });
  const dashOpts = defaultDashOptions({ segmentMs: 1000 });
  const hlsRoutes = createHlsRoutes(deps, hlsOpts);
  const app = hlsRoutes.app;
  const dash = dashRoutes(deps, dashOpts);
  const { tracks, frames } = await fixture();
  const stream = await hub.publish({
    role: "publisher",
    protocol: "rtmp",
    app: "live",
    name: "cam",
    vhost: "h",
    query: "",
  });
  if (declare) { for (const t of tracks) stream.setTrack(t); }
  const get = async (a: typeof app, path: string) => {
    const res = await a.request(path);
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  return {
    hub,
    stream,
    tracks,
    frames,
    hlsOpts,
    dashOpts,
    hls: (path: string) => get(app, path),
    hlsRaw: (path: string) => app.request(path),
    /** The front's hot route for `target` (undefined: not taken), as response text. */
    hot: async (target: string) => {
      const q = target.indexOf("?");
      const req: HotRequest = {
        path: q < 0 ? target : target.slice(0, q),
        query: q < 0 ? "" : target.slice(q + 1),
        host: "h",
        header: (n) => n === "user-agent" ? "ua" : "",
        remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 5 },
      };
      const a = hlsRoutes.hot!(req);
      return a === undefined ? undefined : new TextDecoder("latin1").decode(await a);
    },
    dash: (path: string) => get(dash, path),
    close() {
      sessions.closeAll();
      hub.close();
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

Deno.test("hls routes: TS and LL-HLS playlists, media with cache headers, player count", async () => {
  const t = await setup({ startOnPublish: true });
  try {
    await tick(); // the pinned segmenter starts just after the tracks are declared
    // The fMP4 variant starts on its first request, which waits for a complete segment.
    const llPending = t.hls("/live/cam.m3u8?fmp4&ll");
    await tick();
    for (const f of t.frames) t.stream.write(f);
    await tick();
    const ts = await t.hls("/live/cam.m3u8");
    assert.equal(ts.status, 200);
    assert.equal(ts.headers.get("cache-control"), "max-age=1");
    const p = parseMediaPlaylist(ts.text);
    assert.equal(p.segments.length, 2, "started at publish: both complete 1 s segments are there");
    assert.equal(t.stream.players.get("hls"), 2, "one client, counted once per variant it polls");
    const seg = await t.hls(`/live/${p.segments[0].uri}`);
    assert.equal(seg.status, 200);
    assert.equal(seg.headers.get("content-type"), "video/mp2t");
    assert.equal(seg.headers.get("cache-control"), "public, max-age=31536000, immutable");

    const ll = await llPending;
    assert.equal(ll.status, 200);
    assert.equal(ll.headers.get("cache-control"), "no-cache");
    const q = parseMediaPlaylist(ll.text);
    assert.ok(q.lowLatency);
    for (const uri of [q.map!, q.segments[0].uri, q.segments[0].parts![0].uri]) {
      const r = await t.hls(`/live/${uri}`);
      assert.equal(r.status, 200, uri);
    }
    assert.equal((await t.hls("/live/cam/init-1.mp4")).status, 404, "an init of another version");
    assert.equal((await t.hls("/live/cam/p99999999.m4s")).status, 404);
  } finally {
    t.close();
  }
});

Deno.test("hls routes: blocking reload waits for the part, refuses bad or far requests", async () => {
  const t = await setup();
  try {
    const pending = t.hls("/live/cam.m3u8?fmp4&ll");
    await tick();
    // Up to the third keyframe: segment 0 is complete and segment 1 has begun.
    const keys = t.frames.flatMap((f, i) => f.key && f.track.kind === "video" ? [i] : []);
    const cut = keys[2] - 3;
    for (const f of t.frames.slice(0, cut)) t.stream.write(f);
    await tick();
    const first = parseMediaPlaylist((await pending).text);
    const msn = first.mediaSequence + first.segments.length;
    const part = first.lowLatency!.pendingParts.length;
    assert.equal((await t.hls(`/live/cam.m3u8?fmp4&ll&_HLS_msn=x`)).status, 400);
    assert.equal((await t.hls(`/live/cam.m3u8?fmp4&ll&_HLS_msn=${msn + 5}`)).status, 400);
    let done = false;
    const blocked = t.hls(`/live/cam.m3u8?fmp4&ll&_HLS_msn=${msn}&_HLS_part=${part}`).then((r) => {
      done = true;
      return r;
    });
    await tick();
    assert.equal(done, false, "the part does not exist yet");
    for (const f of t.frames.slice(cut)) t.stream.write(f);
    const r = await blocked;
    assert.equal(r.status, 200);
    assert.match(r.headers.get("cache-control") ?? "", /^public, max-age=\d+$/);
    const got = parseMediaPlaylist(r.text);
    assert.ok(got.lowLatency!.pendingParts.length > part || got.segments.length > first.segments.length);
  } finally {
    t.close();
  }
});

Deno.test("hls + dash routes: after the publisher leaves, the final playlist and MPD during the grace period", async () => {
  const t = await setup();
  try {
    const pending = [t.hls("/live/cam.m3u8"), t.dash("/live/cam.mpd")];
    await tick();
    for (const f of t.frames) t.stream.write(f);
    const [pl, mpd] = await Promise.all(pending);
    assert.equal(pl.status, 200);
    assert.equal(mpd.status, 200);
    assert.match(mpd.text, /type="dynamic"/);
    t.stream.end("test");
    await tick();
    const end = await t.hls("/live/cam.m3u8");
    assert.equal(end.status, 200);
    assert.equal(parseMediaPlaylist(end.text).endList, true);
    const dash = await t.dash("/live/cam.mpd");
    assert.equal(dash.status, 200);
    assert.match(dash.text, /type="static"/);
    assert.equal((await t.hls("/live/other.m3u8")).status, 404);
    assert.equal((await t.dash("/live/other.mpd")).status, 404);
  } finally {
    t.close();
  }
});

Deno.test("hls routes: the first request waits for the announced tracks, so the init segment has them all", async () => {
  const t = await setup({}, false);
  try {
    t.stream.expectTracks({ video: true, audio: true });
    t.stream.setTrack(t.tracks.find((x) => x.kind === "video")!);
    const pending = t.hls("/live/cam.m3u8?fmp4");
    await tick();
    // Audio is declared a little later (as an RTSP or SRT ingest may do): the segmenter waits for it.
    t.stream.setTrack(t.tracks.find((x) => x.kind === "audio")!);
    await tick();
    for (const f of t.frames) t.stream.write(f);
    const p = parseMediaPlaylist((await pending).text);
    const init = await (await t.hlsRaw(`/live/${p.map}`)).arrayBuffer();
    const traks = new TextDecoder("latin1").decode(init).split("trak").length - 1;
    assert.equal(traks, 2, "video and audio in the init segment");
  } finally {
    t.close();
  }
});

Deno.test("hls + dash routes: options are read per request, so a reload reaches new segmenters", async () => {
  const t = await setup();
  try {
    Object.assign(t.hlsOpts, { targetMs: 2000, windowSize: 2 });
    Object.assign(t.dashOpts, { segmentMs: 2000 });
    const pending = [t.hls("/live/cam.m3u8"), t.dash("/live/cam.mpd")];
    await tick();
    for (const f of t.frames) t.stream.write(f);
    t.stream.end("test");
    const [pl, mpd] = await Promise.all(pending);
    const p = parseMediaPlaylist(pl.text);
    assert.equal(p.targetDuration, 2);
    assert.equal(p.endList, true);
    assert.deepEqual(p.segments.map((x) => Math.round(x.duration)), [2, 1], "3 s in 2 s segments, window 2");
    assert.match(mpd.text, /minBufferTime="PT2S"/);
  } finally {
    t.close();
  }
});

Deno.test("hls hot route: the same answers as the routes, prebuilt (one buffer per segment, per playlist version)", async () => {
  const t = await setup({ startOnPublish: true });
  try {
    await tick();
    for (const f of t.frames) t.stream.write(f);
    await tick();
    const hot = (await t.hot("/live/cam.m3u8"))!;
    const [head, body] = hot.split("\r\n\r\n");
    assert.match(head, /^HTTP\/1\.1 200 OK\r\ndate: .* GMT\r\n/);
    assert.match(head, /\r\naccess-control-allow-origin: \*\r\n/);
    assert.match(head, /\r\ncontent-type: application\/vnd\.apple\.mpegurl\r\ncache-control: max-age=1\r\n/);
    assert.match(head, new RegExp(`\\r\\ncontent-length: ${new TextEncoder().encode(body).length}$`));
    const routed = await t.hls("/live/cam.m3u8");
    assert.equal(body, routed.text, "the routed path serves the same rendering");
    assert.equal(routed.headers.get("content-length"), String(routed.text.length));

    const uri = parseMediaPlaylist(body).segments[0].uri;
    const seg = (await t.hot(`/live/${uri}`))!;
    const routedSeg = new Uint8Array(await (await t.hlsRaw(`/live/${uri}`)).arrayBuffer());
    const segBody = seg.slice(seg.indexOf("\r\n\r\n") + 4);
    assert.equal(segBody.length, routedSeg.length);
    assert.equal(segBody, new TextDecoder("latin1").decode(routedSeg));
    assert.match(
      seg,
      /\r\ncontent-type: video\/mp2t\r\ncache-control: public, max-age=31536000, immutable\r\n/,
    );

    assert.equal(await t.hot("/live/cam/999.ts").then((s) => s?.split("\r\n")[0]), "HTTP/1.1 404 Not Found");
    assert.equal(await t.hot("/live/other/1.ts"), undefined, "no segmenter: left to the other routes");
    assert.equal(await t.hot("/live/c%61m.m3u8"), undefined, "percent-encoded: left to the routes");
    assert.equal(await t.hot("/api/status"), undefined);
    const refused = (await t.hot("/nope/cam.m3u8"))!;
    assert.match(refused, /^HTTP\/1\.1 (403|404) [^]*content-type: application\/json[^]*"code":(403|404)/);
  } finally {
    t.close();
  }
});
