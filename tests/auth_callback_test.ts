/** The auth callback in front of publish and play (HTTP-FLV, WS-FLV), against a tiny auth server. */
import assert from "node:assert/strict";
import { AuthError } from "../src/core/mod.ts";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  FIXTURE_FLV,
  H264B,
  replayFlv,
  requireTool,
  startTestServer,
  waitLive,
  wsBytes,
} from "./support/mod.ts";

/** Allows token=good, denies anything else; token=slow answers after the server's timeout. */
function authServer() {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const u = new URL(req.url);
    seen.push(`${u.pathname}${u.search} ua=${req.headers.get("user-agent")}`);
    const token = u.searchParams.get("token");
    if (token === "slow") await new Promise((r) => setTimeout(r, 1500));
    return new Response(null, { status: token === "good" ? 200 : 403 });
  });
  return { server, seen, url: `127.0.0.1:${server.addr.port}` };
}

Deno.test("auth callback: publish and HTTP-FLV/WS-FLV play allowed for one token, denied for another, timeout denies", async () => {
  const auth = authServer();
  const ts = await startTestServer({
    authurl: { host: auth.url, router: "/api/auth", timeout: 300 },
    rtmp: { notfound: "reject" },
  });
  const { hub } = ts;
  const base = `127.0.0.1:${ts.port("http")}/live/cam.flv`;
  try {
    await assert.rejects(
      hub.publish({
        role: "publisher",
        protocol: "rtmp",
        app: "live",
        name: "cam",
        vhost: "",
        query: "token=bad",
      }),
      AuthError,
    );
    const pub = await replayFlv(hub, await Deno.readFile(FIXTURE_FLV), { name: "cam", query: "token=good" });
    const cases: { query: string; status: number }[] = [
      { query: "token=good", status: 200 },
      { query: "token=bad", status: 403 },
      { query: "", status: 403 },
      { query: "token=slow", status: 403 },
    ];
    for (const c of cases) {
      const t0 = Date.now();
      const res = await fetch(`http://${base}?${c.query}`);
      assert.equal(res.status, c.status, c.query);
      if (c.status === 200) {
        const r = res.body!.getReader();
        const first = await r.read();
        assert.equal(new TextDecoder().decode(first.value!.subarray(0, 3)), "FLV");
        await r.cancel();
      } else {
        assert.match((await res.json()).msg, /auth callback/);
        assert.ok(Date.now() - t0 < 1200, `${c.query}: denied in ${Date.now() - t0} ms`);
      }
    }
    const ws = wsBytes(`ws://${base}?token=good`).getReader();
    assert.ok((await ws.read()).value!.length > 13);
    await ws.cancel();
    await assert.rejects(wsBytes(`ws://${base}?token=bad`).getReader().read(), /refused: HTTP\/1.1 403/);

    assert.deepEqual(auth.seen.slice(0, 4), [
      "/api/auth/live/cam?token=bad&type=rtmp&role=publisher ua=smart_rtmpd",
      "/api/auth/live/cam?token=good&type=rtmp&role=publisher ua=smart_rtmpd",
      "/api/auth/live/cam.flv?token=good&type=http&role=player ua=smart_rtmpd",
      "/api/auth/live/cam.flv?token=bad&type=http&role=player ua=smart_rtmpd",
    ]);
    pub.stop();
    await pub.done;
  } finally {
    await ts.close();
    await auth.server.shutdown();
  }
});

Deno.test("auth callback cache: two ffmpeg HLS players with one token poll many playlists; the callback is asked once (cache 0: every poll)", async () => {
  requireTool("ffmpeg");
  const run = async (cache: number) => {
    const auth = authServer();
    const ts = await startTestServer({
      authurl: { host: auth.url, router: "/api/auth", cache },
      http: { hlsduration: 1 },
    });
    const pub = ffmpegPublish({
      url: ts.rtmp("/live/hls?token=good"),
      format: "flv",
      seconds: 20,
      video: H264B,
      audio: AAC,
    });
    try {
      await waitLive(ts.hub, "live/hls");
      const url = ts.http("/live/hls.m3u8?token=good");
      const played = await Promise.all(
        [1, 2].map(() =>
          decodedFrames(url, { frames: 150, timeoutMs: 30_000, inputArgs: ["-rw_timeout", "5000000"] })
        ),
      );
      for (const p of played) assert.equal(p.frames, 150, p.stderr.slice(-300));
      return { asked: auth.seen.filter((s) => s.includes("/live/hls.m3u8")).length };
    } finally {
      await pub.stop();
      await ts.close();
      await auth.server.shutdown();
    }
  };
  const cached = await run(10);
  const every = await run(0);
  console.log(
    `HLS with the auth callback: ${cached.asked} playlist callback(s) for two players over 5 s with cache 10 s, ${every.asked} with cache 0`,
  );
  assert.equal(cached.asked, 1, "one question for both players and all their polls");
  assert.ok(every.asked >= 4, `cache 0 asks at every poll (${every.asked})`);
});
