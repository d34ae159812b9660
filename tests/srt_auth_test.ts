/** SRT admission through smart_rtmpd's auth callback: type=srt, the role, and the stream id's keys. */
import assert from "node:assert/strict";
import { createAuthorizer } from "../src/auth/mod.ts";
import { AAC, decodedFrames, ffmpegPublish, H264B, requireTool, run } from "./support/mod.ts";
import { startSrt, waitLive, waitNoSessions } from "./srt_util.ts";

Deno.test("the auth callback sees type=srt, the role and the stream id's extra keys; a denial is 1403", async () => {
  requireTool("ffmpeg");
  const asked: URL[] = [];
  const auth = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    asked.push(url);
    return new Response(null, { status: url.searchParams.get("token") === "good" ? 200 : 403 });
  });
  const f = await startSrt({}, {
    authorize: createAuthorizer({ url: `http://127.0.0.1:${auth.addr.port}/auth` }),
  });
  const pub = ffmpegPublish({
    url: f.url("#!::r=live/authd,m=publish,u=alice,token=good"),
    format: "mpegts",
    seconds: 10,
    size: "320x240",
    video: H264B,
    audio: AAC,
  });
  try {
    await waitLive(f.hub, "live/authd");
    const [ok, denied] = await Promise.all([
      decodedFrames(f.url("#!::r=live/authd,m=request,token=good"), { frames: 30, timeoutMs: 15_000 }),
      run("ffmpeg", [
        "-nostdin",
        "-loglevel",
        "error",
        "-i",
        f.url("#!::r=live/authd,token=bad"),
        "-f",
        "null",
        "-",
      ], {
        timeoutMs: 10_000,
      }),
    ]);
    assert.ok(ok.frames >= 27, `${ok.frames}/30 ${ok.stderr}`);
    assert.notEqual(denied.code, 0);
    assert.ok(f.lines.some((l) => /srt connection rejected .*code=1403/.test(l)));
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
    await waitNoSessions(f.srv);
    await f.close();
    await auth.shutdown();
  }
});
