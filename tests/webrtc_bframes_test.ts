/**
 * An H264 High stream with B-frames (ffmpeg libx264 -bf 2, x264's default B-pyramid, over RTMP) to a
 * WHEP viewer in Chromium, measured both ways in the same run on two servers: `<rtc><bframes>pass`
 * (every frame as it is) and `drop` (the default: the B pictures left out, once per stream). The
 * figures (getStats framesDecoded, framesDropped, freezeCount, totalFreezesDuration, pliCount over
 * 12 s) are printed; drop must decode several times more frames than pass, without a PLI storm, and
 * /api/live must warn about the B-frames.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import {
  CHROMIUM_ARGS,
  ffmpegPublish,
  H264H,
  requireTool,
  startTestServer,
  type TestServer,
  waitLive,
} from "./support/mod.ts";
import { whepPlay } from "./support/whep_client.ts";

requireTool("chromium");
requireTool("ffmpeg");

interface VideoStats {
  framesDecoded: number;
  framesReceived: number;
  framesDropped: number;
  freezeCount: number;
  totalFreezesDuration: number;
  pliCount: number;
}

function videoStats(p: Page): Promise<VideoStats> {
  return p.evaluate(async () => {
    const out = {
      framesDecoded: 0,
      framesReceived: 0,
      framesDropped: 0,
      freezeCount: 0,
      totalFreezesDuration: 0,
      pliCount: 0,
    };
    // deno-lint-ignore no-explicit-any
    (await (globalThis as any).whep.pc.getStats()).forEach((s: any) => {
      if (s.type !== "inbound-rtp" || s.kind !== "video") return;
      for (const k of Object.keys(out) as (keyof typeof out)[]) out[k] = s[k] ?? 0;
    });
    return out;
  });
}

Deno.test("whep B-frames: Chromium plays an H264 High stream with B-frames smoothly without its B pictures (drop), not as it is (pass)", async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS, "--allow-loopback-in-peer-connection"],
  });
  const servers: TestServer[] = [];
  const pubs: { stop(): Promise<unknown> }[] = [];
  try {
    const results: Record<string, VideoStats & { firstFrameMs: number }> = {};
    // One mode after the other: two WebRTC pages decoding at once starved the 2-core machine (a renderer died
    // and the test hung on it). A crashed page fails the test at once instead.
    for (const mode of ["pass", "drop"] as const) {
      const ts = await startTestServer({ rtc: { bframes: mode } });
      servers.push(ts);
      pubs.push(
        ffmpegPublish({
          url: ts.rtmp("/live/bf"),
          format: "flv",
          seconds: 60,
          size: "320x240",
          video: H264H,
          audio: ["-an"],
        }),
      );
      await waitLive(ts.hub, "live/bf", { audio: false, videoFrames: 35, timeoutMs: 25_000 });
      if (mode === "drop") {
        const live = await (await fetch(ts.http("/api/live?app=live&name=bf"))).text();
        assert.match(live, /B-frames: WebRTC viewers get the I and P frames only/, live.slice(0, 600));
      }
      const p = await browser.newPage();
      const crashed = new Promise<never>((_, reject) =>
        p.on("crash", () => reject(new Error(`${mode}: the Chromium page crashed`)))
      );
      crashed.catch(() => {});
      await p.goto(ts.http("/api/status"));
      // Plays for 12 s (the frame goal is out of reach on purpose).
      const r = await Promise.race([
        whepPlay(p, ts.http("/live/bf/whep"), { frames: 1_000_000, timeoutMs: 12_000, audio: false }),
        crashed,
      ]);
      assert.equal(r.status, 201, `${mode}: ${r.error}`);
      results[mode] = { ...await Promise.race([videoStats(p), crashed]), firstFrameMs: r.firstFrameMs };
      if (mode === "drop") {
        const warned = ts.lines.filter((l) => l.includes("B-frames"));
        assert.ok(
          warned.some((l) => l.includes("whep source has B-frames: viewers get its I and P frames only")),
          warned.join("\n") || ts.lines.slice(-20).join("\n"),
        );
      }
    }
    for (const [mode, s] of Object.entries(results)) console.log(`bframes=${mode}: ${JSON.stringify(s)}`);
    const { pass, drop } = results;
    assert.ok(
      drop.framesDecoded >= 3 * Math.max(pass.framesDecoded, 10),
      `drop ${drop.framesDecoded} vs pass ${pass.framesDecoded}`,
    );
    assert.ok(drop.framesDecoded >= 60, `drop decoded ${drop.framesDecoded} frames in 12 s`);
    assert.ok(drop.pliCount <= 3, `drop: ${drop.pliCount} PLIs`);
  } finally {
    await Promise.all(pubs.map((p) => p.stop()));
    await browser.close();
    for (const ts of servers) await ts.close();
  }
});
