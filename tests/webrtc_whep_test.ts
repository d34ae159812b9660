/**
 * WHEP playback in headless Chromium (playwright-core, system chromium): ffmpeg publishes H264
 * without audio over RTMP, H264 + Opus and H264 + PCMA over RTSP; a WHEP client in a page of the
 * server's origin must decode ≥ 60 frames (getStats inbound-rtp framesDecoded) with the H264 codec,
 * and hear the audio (totalAudioEnergy > 0). DELETE frees the session; an unknown stream is 404; a
 * viewer that vanishes without DELETE and one that never connects are freed by the server. The
 * first-frame time (POST → first decoded frame) is printed.
 */
import assert from "node:assert/strict";
import { type Browser, chromium } from "playwright-core";
import {
  AAC,
  CHROMIUM_ARGS,
  ffmpegPublish,
  H264B,
  OPUS,
  PCMA,
  requireTool,
  startTestServer,
  type TestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";
import { whepDelete, whepPlay } from "./support/whep_client.ts";

requireTool("chromium");
requireTool("ffmpeg");

const ARGS = [...CHROMIUM_ARGS, "--allow-loopback-in-peer-connection"];

async function page(browser: Browser, ts: TestServer) {
  const p = await browser.newPage();
  await p.goto(ts.http("/api/status"));
  return p;
}

function webrtcPlayers(ts: TestServer, key: string): number {
  return ts.hub.get(key)?.players.get("webrtc") ?? 0;
}

Deno.test("whep: Chromium plays RTMP H264 and RTSP H264+Opus / H264+PCMA; DELETE frees; 404 unknown", async () => {
  const ts = await startTestServer({
    rtc: { iceservers: { server: [{ url: "stun:stun.example.org:3478", username: "", credential: "" }] } },
  });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  const pubs = [
    ffmpegPublish({ url: ts.rtmp("/live/rtmp"), format: "flv", seconds: 40, video: H264B, audio: ["-an"] }),
    ffmpegPublish({
      url: ts.rtsp("/live/opus"),
      format: "rtsp",
      seconds: 40,
      video: H264B,
      audio: OPUS,
      extra: ["-rtsp_transport", "tcp"],
    }),
    ffmpegPublish({
      url: ts.rtsp("/live/pcma"),
      format: "rtsp",
      seconds: 40,
      video: H264B,
      audio: PCMA,
      extra: ["-rtsp_transport", "tcp"],
    }),
  ];
  try {
    await Promise.all([
      waitLive(ts.hub, "live/rtmp", { audio: false, videoFrames: 35 }),
      waitLive(ts.hub, "live/opus", { videoFrames: 35 }),
      waitLive(ts.hub, "live/pcma", { videoFrames: 35 }),
    ]);
    const cases = [
      { key: "live/rtmp", url: "/whep/v1?app=live&name=rtmp", audio: "" },
      { key: "live/opus", url: "/live/opus/whep", audio: "audio/opus" },
      { key: "live/pcma", url: "/whep/v1?app=live&name=pcma", audio: "audio/PCMA" },
    ];
    const results = await Promise.all(cases.map(async (c) => {
      const p = await page(browser, ts);
      const r = await whepPlay(p, ts.http(c.url), { frames: 60, timeoutMs: 20_000, audio: c.audio !== "" });
      return { c, r, p };
    }));
    for (const { c, r } of results) {
      console.log(
        `${c.key}: first frame ${r.firstFrameMs} ms after POST, ${r.framesDecoded} frames, ${r.videoMime}, ` +
          `audio ${r.audioMime || "none"} energy ${
            r.totalAudioEnergy.toFixed(3)
          } (${r.audioPackets} packets), freezes ${r.freezeCount}; ${r.states.join(", ")}`,
      );
      assert.equal(r.status, 201, `${c.key}: ${r.error}`);
      assert.match(r.location, /\/whep\/v1\/sessions\/[0-9a-f]{32}$/);
      assert.match(r.links, /<stun:stun\.example\.org:3478>; rel="ice-server"/);
      assert.ok(r.framesDecoded >= 60, `${c.key}: ${r.framesDecoded} frames decoded`);
      assert.equal(r.videoMime, "video/H264", c.key);
      if (c.audio) {
        assert.equal(r.audioMime, c.audio, c.key);
        assert.ok(r.totalAudioEnergy > 0, `${c.key}: audio energy ${r.totalAudioEnergy}`);
      }
      assert.equal(webrtcPlayers(ts, c.key), 1, `${c.key}: one webrtc player counted`);
    }
    // /api/live lists the players as webrtc and the WHEP URL among the stream's urls.
    const live = await (await fetch(ts.http("/api/live?app=live&name=opus"))).json();
    const text = JSON.stringify(live);
    assert.match(text, /"webrtc"/, text.slice(0, 400));
    assert.ok(text.includes("/whep/v1?app=live&name=opus"), text.slice(0, 600));

    // DELETE ends each session at once: the players and sessions count go back to 0.
    for (const { c, p } of results) {
      assert.equal(await whepDelete(p), 200, c.key);
      assert.equal(webrtcPlayers(ts, c.key), 0, `${c.key}: webrtc players after DELETE`);
      await p.close();
    }
    await waitFor(() => ts.lines.filter((l) => l.includes("whep play stop")).length >= 3, 5000, "stop lines");
    assert.ok(ts.lines.some((l) => l.includes("whep play stop") && l.includes("DELETE")));

    // An unknown stream is refused at once; a DELETE of an unknown session is 404 too.
    const p = await page(browser, ts);
    const t0 = Date.now();
    const missing = await whepPlay(p, ts.http("/whep/v1?app=live&name=nobody"), {
      frames: 1,
      timeoutMs: 1000,
      audio: false,
    });
    assert.equal(missing.status, 404, missing.error);
    assert.ok(Date.now() - t0 < 5000);
    const gone = await fetch(ts.http("/whep/v1/sessions/0123456789abcdef0123456789abcdef"), {
      method: "DELETE",
    });
    await gone.body?.cancel();
    assert.equal(gone.status, 404);
    // Bad input: not SDP → 400, another content type → 415; the server keeps serving.
    for (
      const [type, body, status] of [
        ["application/sdp", "not an sdp", 400],
        ["application/sdp", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", 400],
        ["text/plain", "v=0", 415],
      ] as const
    ) {
      const res = await fetch(ts.http("/live/rtmp/whep"), {
        method: "POST",
        headers: { "content-type": type },
        body,
      });
      const msg = (await res.json()).msg as string;
      assert.equal(res.status, status, `${type} ${body}: ${msg}`);
      assert.match(msg, /invalid/);
    }
    // CORS preflight: allowed, and the ICE servers in Link.
    const pre = await fetch(ts.http("/whep/v1?app=live&name=rtmp"), {
      method: "OPTIONS",
      headers: { origin: "http://example.com", "access-control-request-method": "POST" },
    });
    await pre.body?.cancel();
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.match(pre.headers.get("link") ?? "", /rel="ice-server"/);
    await p.close();
  } finally {
    await Promise.all(pubs.map((p) => p.stop()));
    await browser.close();
    await ts.close();
  }
});

Deno.test("whep: an AAC source is heard as Opus (transcoded once per stream); a vanished viewer and one that never connects are freed", async () => {
  const ts = await startTestServer();
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/aac"),
    format: "flv",
    seconds: 60,
    video: H264B,
    audio: AAC,
  });
  try {
    await waitLive(ts.hub, "live/aac", { videoFrames: 35 });
    const p1 = await page(browser, ts);
    const p2 = await page(browser, ts);
    // A client that posts an offer and never applies the answer: ICE never connects.
    const tNever = Date.now();
    const never = await whepPlay(p2, ts.http("/live/aac/whep"), {
      frames: 1,
      timeoutMs: 0,
      audio: false,
      connect: false,
    });
    assert.equal(never.status, 201, never.error);
    // A trickle client (POST at once, candidates by PATCH): video, and the AAC audio as Opus with energy.
    const played = await whepPlay(p1, ts.http("/live/aac/whep"), {
      frames: 30,
      timeoutMs: 20_000,
      audio: true,
      trickle: true,
    });
    assert.equal(played.status, 201, played.error);
    assert.ok(played.framesDecoded >= 30, `trickle client decoded ${played.framesDecoded}; ${played.states}`);
    assert.equal(played.audioMime.toLowerCase(), "audio/opus", "the AAC source's audio arrives as Opus");
    assert.ok(played.totalAudioEnergy > 0, `audio energy ${played.totalAudioEnergy}`);
    assert.ok(played.patches.length > 0 && played.patches.every((s) => s === 204), `PATCH ${played.patches}`);
    const transcoders = ts.hub.get("live/aac")!.outputs.peek("audio:opus:default");
    assert.ok(transcoders, "one shared transcoder on the stream");
    // The unconnected session is freed by its deadline, with one line.
    await waitFor(
      () => ts.lines.some((l) => l.includes("did not connect within 10 s")),
      15_000,
      "connect deadline",
    );
    const neverMs = Date.now() - tNever;
    assert.ok(neverMs >= 9_500, `freed after ${neverMs} ms`);
    assert.equal(webrtcPlayers(ts, "live/aac"), 1);
    // The viewer's browser goes away without DELETE (the page and its peer connection are gone).
    const t0 = Date.now();
    await p1.close();
    await waitFor(() => webrtcPlayers(ts, "live/aac") === 0, 25_000, "the vanished viewer freed");
    const stops = ts.lines.filter((l) => l.includes("whep play stop"));
    console.log(`vanished viewer freed after ${Date.now() - t0} ms\n${stops.join("\n")}`);
    assert.equal(stops.length, 2, stops.join("\n"));
    await p2.close();
  } finally {
    await pub.stop();
    await browser.close();
    await ts.close();
  }
});
