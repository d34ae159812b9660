import assert from "node:assert/strict";
import type { H264Track } from "../src/core/mod.ts";
import { aacTrack, buildAsc } from "../src/codecs/mod.ts";
import { createAuthorizer } from "../src/auth/mod.ts";
import {
  AAC,
  ffmpegPublish,
  H264B,
  H264H,
  PCMA,
  rawRequest,
  startTestServer,
  waitLive,
} from "./support/mod.ts";

const video: H264Track = {
  kind: "video",
  codec: "h264",
  clockRate: 90000,
  width: 640,
  height: 360,
  fps: 30,
  sps: new Uint8Array([0x67]),
  pps: [new Uint8Array([0x68])],
  profile: 100,
  compat: 0,
  level: 30,
};

async function getJson(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

Deno.test("http api: /api/live list, details, counts; /api/stream; /api/status", async () => {
  const ts = await startTestServer();
  const { hub } = ts;
  const base = ts.http("");
  const [rtmp, http, rtsp, srt] = ["rtmp", "http", "rtsp", "srt"].map((n) => ts.port(n));
  try {
    assert.deepEqual((await getJson(`${base}/api/live`)).body, { stream: [] });
    const cam = await hub.publish({
      role: "publisher",
      protocol: "rtmp",
      app: "live",
      name: "cam",
      vhost: "v1",
      query: "",
    });
    const rec = await hub.publish({
      role: "publisher",
      protocol: "srt",
      app: "rec",
      name: "r1",
      vhost: "v2",
      query: "",
    });
    const audio = aacTrack(buildAsc({ objectType: 2, sampleRate: 44100, channels: 2 }));
    cam.setTrack(video);
    cam.setTrack(audio);
    for (let i = 0; i < 60; i++) {
      cam.write({
        track: video,
        dts: i * 3000,
        pts: i * 3000,
        key: i % 30 === 0,
        data: new Uint8Array(1000),
      });
    }
    cam.write({ track: video, dts: 60 * 3000, pts: 60 * 3000, key: true, data: new Uint8Array(1000) });
    const release = cam.attachPlayer("http-flv");
    cam.attachPlayer("rtmp");

    // fetch() sets Host itself: a raw request asks for another host name.
    const viaHost = await rawRequest(http, "/api/live", { host: "media.example:8080" });
    const list = { body: JSON.parse(viaHost.body) };
    assert.deepEqual(list.body.stream.sort(), [
      `rtmp://media.example:${rtmp}/live/cam`,
      `rtmp://media.example:${rtmp}/rec/r1`,
    ]);
    assert.deepEqual((await getJson(`${base}/api/live?app=rec`)).body, {
      stream: [`rtmp://127.0.0.1:${rtmp}/rec/r1`],
    });
    assert.deepEqual((await getJson(`${base}/api/live?vhost=v1`)).body, {
      stream: [`rtmp://127.0.0.1:${rtmp}/live/cam`],
    });

    const d = await getJson(`${base}/api/live?vhost=v1&app=live&name=cam`);
    assert.equal(d.status, 200);
    assert.match(d.body.app.duration, /^PT\d+S$/);
    assert.equal(d.body.app.from, "rtmp");
    assert.equal(d.body.app.rec, false);
    assert.equal(typeof d.body.app.rate, "number");
    assert.deepEqual(d.body.media.video, { codec: "H264", width: 640, height: 360, fps: 30, gop: 30 });
    assert.deepEqual(d.body.media.audio, { codec: "AAC", samplerate: 44100, channel: 2, samplebit: 16 });
    // Every output of the real server, with its own ports.
    assert.deepEqual(d.body.urls, [
      { type: "rtmp", url: `rtmp://127.0.0.1:${rtmp}/live/cam` },
      { type: "http-flv", url: `http://127.0.0.1:${http}/live/cam.flv` },
      { type: "ws-flv", url: `ws://127.0.0.1:${http}/live/cam.flv` },
      { type: "http-hls", url: `http://127.0.0.1:${http}/live/cam.m3u8` },
      { type: "http-dash", url: `http://127.0.0.1:${http}/live/cam.mpd` },
      { type: "rtsp", url: `rtsp://127.0.0.1:${rtsp}/live/cam` },
      { type: "srt", url: `srt://127.0.0.1:${srt}?streamid=#!::r=live/cam,m=request` },
      { type: "webrtc", url: `http://127.0.0.1:${http}/whep/v1?app=live&name=cam` },
    ]);
    const r = await getJson(`${base}/api/live?app=rec&name=r1`);
    assert.equal(r.body.app.rec, true);
    assert.deepEqual(r.body.media, {});

    assert.deepEqual((await getJson(`${base}/api/live?app=live&name=cam&cmd=count`)).body, {
      count: { "http-flv": 1, rtmp: 1 },
      total: 2,
    });
    release();
    assert.equal((await getJson(`${base}/api/live?app=live&name=cam&cmd=count`)).body.total, 1);

    const missing = await getJson(`${base}/api/live?app=live&name=nope`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.msg, /live\/nope/);
    // smart_rtmpd's player asks by name alone: the one live stream so named, else 400 naming the apps.
    const byName = await getJson(`${base}/api/stream?name=cam`);
    assert.equal(byName.status, 200);
    assert.equal(byName.body.media.video.codec, "H264");
    assert.equal((await getJson(`${base}/api/live?name=nope`)).status, 404);
    const twin = await hub.publish({
      role: "publisher",
      protocol: "rtmp",
      app: "rec",
      name: "cam",
      vhost: "",
      query: "",
    });
    const both = await getJson(`${base}/api/live?name=cam`);
    assert.equal(both.status, 400);
    assert.match(both.body.msg, /cam is live in more than one app \(live, rec\)/);
    twin.end();

    // smart_rtmpd's own port answers /api/stream unwrapped, as /api/live.
    const streamList = await getJson(`${base}/api/stream`);
    assert.equal(streamList.body.stream.length, 2);
    assert.equal(streamList.body.code, undefined);
    const wd = await getJson(`${base}/api/stream?app=live&name=cam`);
    assert.equal(wd.body.media.video.codec, "H264");
    assert.ok(wd.body.urls.some((u: { type: string }) => u.type === "rtmp"), "the detail carries the URLs");
    const wm = await getJson(`${base}/api/stream?app=live&name=zz`);
    assert.deepEqual([wm.status, wm.body.code], [404, 404]);

    const st = await getJson(`${base}/api/status`);
    assert.deepEqual(st.body, {
      http: { port: http, run: true, ssl: false, sport: 0 },
      https: { port: 0, run: false, ssl: true },
      rtmp: { port: rtmp, run: true, ssl: false },
      rtmps: { port: 0, run: false, ssl: true },
      rtsp: { port: rtsp, run: true, ssl: false },
      rtsps: { port: 0, run: false, ssl: true },
      srt: { port: srt, run: true, ssl: false },
      start_time: ts.server.startedAt.toISOString(),
    });

    const nf = await getJson(`${base}/api/nothing`);
    assert.equal(nf.status, 404);
    assert.equal(nf.body.code, 404);
    cam.end();
    rec.end();
  } finally {
    await ts.close();
  }
});

Deno.test("http api: the auth callback guards /api/* (role=api) and recordings (role api/download), once per request", async () => {
  const seen: string[] = [];
  const auth = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push(req.url);
    const ok = new URL(req.url).searchParams.get("token") === "good";
    return new Response(null, { status: ok ? 200 : 401 });
  });
  const url = `127.0.0.1:${auth.addr.port}`;
  const ts = await startTestServer({ authurl: { host: url, router: "/api/auth" } });
  const base = ts.http("");
  try {
    assert.equal(createAuthorizer({ url: "" }), undefined);
    const ok = await getJson(`${base}/api/status?token=good`);
    assert.equal(ok.status, 200);
    const denied = await getJson(`${base}/api/live?token=bad`);
    assert.equal(denied.status, 403);
    assert.match(denied.body.msg, /answered 401/);
    // Asked once per request, whichever guards a path passes (/api/* and the feature's own).
    assert.equal((await getJson(`${base}/api/streams?token=good`)).status, 200);
    assert.equal((await getJson(`${base}/api/rec?token=good`)).status, 200);
    // Recordings: listings as API calls, playlists as downloads.
    assert.equal((await getJson(`${base}/rec/music?token=bad`)).status, 403);
    assert.equal((await getJson(`${base}/rec/music/2026-01-02/10-00-00.m3u8?token=bad`)).status, 403);
    assert.deepEqual(seen, [
      `http://${url}/api/auth/api/status?token=good&type=http&role=api`,
      `http://${url}/api/auth/api/live?token=bad&type=http&role=api`,
      `http://${url}/api/auth/api/streams?token=good&type=http&role=api`,
      `http://${url}/api/auth/api/rec?token=good&type=http&role=api`,
      `http://${url}/api/auth/rec/music?token=bad&type=http&role=api`,
      `http://${url}/api/auth/rec/music/2026-01-02/10-00-00.m3u8?token=bad&type=http&role=download`,
    ]);
  } finally {
    await ts.close();
    await auth.shutdown();
  }
});

Deno.test("/api/streams: warnings for B-frames and G.711 audio; none for a plain H264 + AAC stream", async () => {
  const ts = await startTestServer();
  const pubs = [
    ffmpegPublish({
      url: ts.rtmp("/live/bf"),
      format: "flv",
      seconds: 20,
      size: "320x240",
      video: H264H,
      audio: AAC,
    }),
    ffmpegPublish({
      url: ts.rtsp("/live/g711"),
      format: "rtsp",
      seconds: 20,
      size: "320x240",
      video: H264B,
      audio: PCMA,
      extra: ["-rtsp_transport", "tcp"],
    }),
    ffmpegPublish({
      url: ts.rtmp("/live/ok"),
      format: "flv",
      seconds: 20,
      size: "320x240",
      video: H264B,
      audio: AAC,
    }),
  ];
  try {
    for (const k of ["live/bf", "live/g711", "live/ok"]) await waitLive(ts.hub, k, { videoFrames: 40 });
    const r = await getJson(`http://127.0.0.1:${ts.ports.http}/api/streams`);
    const w = (name: string) =>
      r.body.streams.find((s: { name: string }) => s.name === name).warnings as string[];
    assert.ok(w("bf").some((x) => x.startsWith("B-frames")), JSON.stringify(w("bf")));
    assert.ok(w("g711").some((x) => x.startsWith("G.711 audio")), JSON.stringify(w("g711")));
    assert.deepEqual(w("ok"), []);
  } finally {
    for (const p of pubs) await p.stop();
    await ts.close();
  }
});
