/** SRT admission through smart_rtmpd's auth callback: type=srt, the role, and the stream id's keys. */
import assert from "node:assert/strict";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  run,
  startTestServer,
  waitLive,
} from "./support/mod.ts";
import { waitNoSessions } from "./support/srt_client.ts";

const LIVE = { audio: false, videoFrames: 11 };

Deno.test("the auth callback sees type=srt, the role and the stream id's extra keys; a denial is 1403", async () => {
  requireTool("ffmpeg");
  const asked: URL[] = [];
  const auth = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    asked.push(url);
    return new Response(null, { status: url.searchParams.get("token") === "good" ? 200 : 403 });
  });
  const ts = await startTestServer({ authurl: { host: `127.0.0.1:${auth.addr.port}`, router: "/auth" } });
  const pub = ffmpegPublish({
    url: ts.srt("#!::r=live/authd,m=publish,u=alice,token=good"),
    format: "mpegts",
    seconds: 10,
    size: "320x240",
    video: H264B,
    audio: AAC,
  });
  try {
    await waitLive(ts.hub, "live/authd", LIVE);
    const [ok, denied] = await Promise.all([
      decodedFrames(ts.srt("#!::r=live/authd,m=request,token=good"), { frames: 30, timeoutMs: 15_000 }),
      run("ffmpeg", [
        "-nostdin",
        "-loglevel",
        "error",
        "-i",
        ts.srt("#!::r=live/authd,token=bad"),
        "-f",
        "null",
        "-",
      ], {
        timeoutMs: 10_000,
      }),
    ]);
    assert.ok(ok.frames >= 27, `${ok.frames}/30 ${ok.stderr}`);
    assert.notEqual(denied.code, 0);
    assert.ok(ts.lines.some((l) => /srt connection rejected .*code=1403/.test(l)));
    const publish = asked.find((u) => u.searchParams.get("role") === "publisher")!;
    assert.equal(publish.pathname, "/auth/live/authd");
    assert.equal(publish.searchParams.get("type"), "srt");
    assert.equal(publish.searchParams.get("u"), "alice");
    assert.equal(publish.searchParams.get("token"), "good");
    assert.ok(
      asked.some((u) => u.searchParams.get("role") === "player" && u.searchParams.get("type") === "srt"),
    );
  } finally {
    await pub.stop();
    await waitNoSessions(ts);
    await ts.close();
    await auth.shutdown();
  }
});
