/**
 * SRT encryption with ffmpeg (libsrt 1.5): AES-128 and AES-256 publish and play, key refresh
 * towards an ffmpeg player, and a wrong or missing passphrase refused with a log line.
 */
import assert from "node:assert/strict";
import { createSrtServer, srtSettings } from "../src/protocols/srt/mod.ts";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  run,
  startTestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";
import { srtStats } from "./support/srt_client.ts";

const LIVE = { audio: false, videoFrames: 11 };

const PASS = "0123456789abcdef";

Deno.test("passphrase with pbkeylen 16 and 32: ffmpeg publishes and plays", async () => {
  requireTool("ffmpeg");
  // A tiny refresh period makes the server switch keys towards its players mid-stream. The config
  // has no key for it: a second SRT listener on the test server's hub and log, built from the same
  // settings() as the real one (passphrase included), gets one.
  const ts = await startTestServer({ srt: { passphrase: PASS } });
  const srv = createSrtServer({
    hub: ts.hub,
    log: ts.server.log,
    ...srtSettings(ts.server.config)!,
    port: 0,
    kmRefreshRate: 150,
    kmPreAnnounce: 40,
  });
  await srv.start();
  const url = (sid: string, params: Record<string, string | number>) =>
    `srt://127.0.0.1:${srv.port}?${new URLSearchParams(params as Record<string, string>)}&streamid=${sid}`;
  const pubs = [16, 32].map((len) =>
    ffmpegPublish({
      url: url(`#!::r=live/k${len},m=publish`, { passphrase: PASS, pbkeylen: len }),
      format: "mpegts",
      seconds: 10,
      size: "320x240",
      video: H264B,
      audio: AAC,
    })
  );
  try {
    await Promise.all([waitLive(ts.hub, "live/k16", LIVE), waitLive(ts.hub, "live/k32", LIVE)]);
    const plays = await Promise.all(
      [16, 32].map((len) =>
        decodedFrames(url(`#!::r=live/k${len},m=request`, { passphrase: PASS, pbkeylen: len }), {
          frames: 90,
          timeoutMs: 15_000,
        })
      ),
    );
    for (const [i, p] of plays.entries()) {
      assert.ok(p.frames >= 81, `pbkeylen ${[16, 32][i]}: ${p.frames}/90 ${p.stderr}`);
    }
    for (const s of srv.stats().list) {
      assert.ok(s.encrypted, s.id);
      assert.equal(s.recv.undecrypted, 0, `${s.id} undecryptable packets`);
    }
    await waitFor(() => srv.stats().list.every((s) => s.role === "publisher"), 5000, "players gone");
    const refreshed = ts.lines.filter((l) => /srt session stop .*role=player .*key_refreshes=[1-9]/.test(l));
    assert.equal(refreshed.length, 2, ts.lines.filter((l) => l.includes("session stop")).join("\n"));
  } finally {
    await Promise.all(pubs.map((p) => p.stop()));
    await waitFor(() => srv.stats().sessions === 0, 12_000, "every SRT session to end");
    await srv.close();
    await ts.close();
  }
});

Deno.test("a wrong or missing passphrase is rejected, ffmpeg exits, and the server logs why", async () => {
  requireTool("ffmpeg");
  const ts = await startTestServer({ srt: { passphrase: PASS } });
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
        ts.srt("#!::r=live/secret,m=publish", extra),
      ], { timeoutMs: 10_000 });
    const [wrong, none] = await Promise.all([attempt({ passphrase: "wrongwrongwrong" }), attempt({})]);
    assert.notEqual(wrong.code, 0);
    assert.ok(!wrong.timedOut && !none.timedOut, "rejected at once, not timed out");
    assert.notEqual(none.code, 0);
    assert.ok(
      ts.lines.some((l) => /srt connection rejected .*reason="wrong passphrase"/.test(l)),
      ts.lines.join("\n"),
    );
    assert.ok(
      ts.lines.some((l) => /srt connection rejected .*a passphrase is required/.test(l)),
      ts.lines.join("\n"),
    );
    assert.equal(ts.hub.get("live/secret"), undefined);
    assert.equal(srtStats(ts).sessions, 0);
  } finally {
    await ts.close();
  }
});
