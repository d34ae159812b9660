/** The auth callback with real clients: ffmpeg publishing and playing over RTMP, ffmpeg on HTTP-FLV. */
import assert from "node:assert/strict";
import {
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  run,
  startTestServer,
  waitFor,
} from "./support/mod.ts";

requireTool("ffmpeg");

Deno.test("auth callback: RTMP publish/play and HTTP-FLV play with ffmpeg, one token allowed, another denied", async () => {
  const seen: string[] = [];
  const auth = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const u = new URL(req.url);
    seen.push(`${u.pathname}?${u.searchParams.toString()}`);
    return new Response(null, { status: u.searchParams.get("token") === "good" ? 200 : 403 });
  });
  const ts = await startTestServer({
    authurl: { host: `127.0.0.1:${auth.addr.port}`, router: "/api/auth", timeout: 1000 },
    rtmp: { notfound: "reject" },
  });
  const { hub } = ts;
  const rtmpUrl = ts.rtmp("/live/sec");
  const good = ffmpegPublish({ url: `${rtmpUrl}?token=good`, format: "flv", seconds: 15, video: H264B });
  try {
    // A second publisher with a bad token is refused: ffmpeg exits with an error quickly.
    const bad = await run("ffmpeg", [
      "-nostdin",
      "-hide_banner",
      "-loglevel",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=320x180:rate=30",
      "-t",
      "5",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-f",
      "flv",
      ts.rtmp("/live/other?token=bad"),
    ], { timeoutMs: 15_000 });
    assert.notEqual(bad.code, 0, "publish with a bad token must fail");
    assert.equal(hub.get("live/other"), undefined);

    await waitFor(() => hub.get("live/sec")?.videoTrack, 10_000, "the allowed publisher");
    const cases: { url: string; want: "play" | "deny"; args?: string[] }[] = [
      { url: `${rtmpUrl}?token=good`, want: "play" },
      { url: `${rtmpUrl}?token=bad`, want: "deny" },
      {
        url: ts.http("/live/sec.flv?token=good"),
        want: "play",
        args: ["-rw_timeout", "5000000"],
      },
      {
        url: ts.http("/live/sec.flv?token=bad"),
        want: "deny",
        args: ["-rw_timeout", "5000000"],
      },
    ];
    for (const c of cases) {
      const r = await decodedFrames(c.url, { frames: 30, timeoutMs: 15_000, inputArgs: c.args });
      if (c.want === "play") assert.ok(r.frames >= 30, `${c.url}: ${r.frames} frames, ${r.stderr}`);
      else assert.equal(r.frames, 0, `${c.url} must be refused`);
    }
    assert.ok(
      seen.some((s) =>
        s.startsWith("/api/auth/live/sec?token=good") && s.endsWith("type=rtmp&role=publisher")
      ),
    );
    assert.ok(
      seen.some((s) =>
        s.startsWith("/api/auth/live/other?token=bad") && s.endsWith("type=rtmp&role=publisher")
      ),
    );
    assert.ok(
      seen.some((s) => s.startsWith("/api/auth/live/sec?token=bad") && s.endsWith("type=rtmp&role=player")),
    );
    assert.ok(
      seen.some((s) =>
        s.startsWith("/api/auth/live/sec.flv?token=good") && s.endsWith("type=http&role=player")
      ),
      seen.join("\n"),
    );
  } finally {
    await good.stop();
    await ts.close();
    await auth.shutdown();
  }
});
