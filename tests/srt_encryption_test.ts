/**
 * SRT encryption with ffmpeg (libsrt 1.5): AES-128 and AES-256 publish and play, key refresh
 * towards an ffmpeg player, and a wrong or missing passphrase refused with a log line.
 */
import assert from "node:assert/strict";
import { AAC, decodedFrames, ffmpegPublish, H264B, requireTool, run, waitFor } from "./support/mod.ts";
import { startSrt, waitLive, waitNoSessions } from "./srt_util.ts";

const PASS = "0123456789abcdef";

Deno.test("passphrase with pbkeylen 16 and 32: ffmpeg publishes and plays", async () => {
  requireTool("ffmpeg");
  // A tiny refresh period makes the server switch keys towards its players mid-stream.
  const f = await startSrt({ passphrase: PASS, kmRefreshRate: 150, kmPreAnnounce: 40 });
  const pubs = [16, 32].map((len) =>
    ffmpegPublish({
      url: f.url(`#!::r=live/k${len},m=publish`, { passphrase: PASS, pbkeylen: len }),
      format: "mpegts",
      seconds: 10,
      size: "320x240",
      video: H264B,
      audio: AAC,
    })
  );
  try {
    await Promise.all([waitLive(f.hub, "live/k16"), waitLive(f.hub, "live/k32")]);
    const plays = await Promise.all(
      [16, 32].map((len) =>
        decodedFrames(f.url(`#!::r=live/k${len},m=request`, { passphrase: PASS, pbkeylen: len }), {
          frames: 90,
          timeoutMs: 15_000,
        })
      ),
    );
    for (const [i, p] of plays.entries()) {
      assert.ok(p.frames >= 81, `pbkeylen ${[16, 32][i]}: ${p.frames}/90 ${p.stderr}`);
    }
    for (const s of f.srv.stats().list) {
      assert.ok(s.encrypted, s.id);
      assert.equal(s.recv.undecrypted, 0, `${s.id} undecryptable packets`);
    }
    await waitFor(() => f.srv.stats().list.every((s) => s.role === "publisher"), 5000, "players gone");
    const refreshed = f.lines.filter((l) => /srt session stop .*role=player .*key_refreshes=[1-9]/.test(l));
    assert.equal(refreshed.length, 2, f.lines.filter((l) => l.includes("session stop")).join("\n"));
  } finally {
    await Promise.all(pubs.map((p) => p.stop()));
    await waitNoSessions(f.srv);
    await f.close();
  }
});

Deno.test("a wrong or missing passphrase is rejected, ffmpeg exits, and the server logs why", async () => {
  requireTool("ffmpeg");
  const f = await startSrt({ passphrase: PASS });
  try {
    const attempt = (extra: Record<string, string>) =>
      run("ffmpeg", [
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=10",
        "-t",
        "1",
        "-f",
        "mpegts",
        f.url("#!::r=live/secret,m=publish", extra),
      ], { timeoutMs: 10_000 });
    const [wrong, none] = await Promise.all([attempt({ passphrase: "wrongwrongwrong" }), attempt({})]);
    assert.notEqual(wrong.code, 0);
    assert.ok(!wrong.timedOut && !none.timedOut, "rejected at once, not timed out");
    assert.notEqual(none.code, 0);
    assert.ok(
      f.lines.some((l) => /srt connection rejected .*reason="wrong passphrase"/.test(l)),
      f.lines.join("\n"),
    );
    assert.ok(
      f.lines.some((l) => /srt connection rejected .*a passphrase is required/.test(l)),
      f.lines.join("\n"),
    );
    assert.equal(f.hub.get("live/secret"), undefined);
    assert.equal(f.srv.stats().sessions, 0);
  } finally {
    await f.close();
  }
});
