/**
 * WebRTC codecs in headless Chromium (playwright-core, system chromium), each with a real source:
 * - an RTSP H265 + Opus source (ffmpeg libx265): this Chromium offers no H265, so the session carries
 *   audio only (no video decoded, Opus with energy) and says so in one "whep audio only" log line;
 * - RTSP H264 + PCMU (ffmpeg pcm_mulaw): PCMU negotiated and heard;
 * - VP8 from Chromium over WHIP: a WHEP viewer in Chromium decodes it as VP8; our RtmpClient, listing
 *   vp08 in its fourCcList, plays it over Enhanced RTMP; ffmpeg decodes it over RTSP, HLS (fMP4) and DASH;
 * - Enhanced RTMP VP9 (libvpx-vp9) and AV1 (libsvtav1 or libaom-av1): encoded by ffmpeg to IVF and
 *   published by our RtmpClient (ffmpeg 5.1's FLV muxer refuses both); Chromium decodes them as VP9
 *   and AV1 (frames decoded ≥ 60).
 * The first-frame time and freezes of each are printed.
 */
import assert from "node:assert/strict";
import { type Browser, chromium } from "playwright-core";
import {
  CHROMIUM_ARGS,
  decodedFrames,
  ffmpegPublish,
  ffprobeJson,
  H264B,
  H265,
  libvpx,
  OPUS,
  PCMU,
  requireTool,
  run,
  startTestServer,
  type TestServer,
  waitLive,
} from "./support/mod.ts";
import { whepPlay } from "./support/whep_client.ts";
import { whipPublish } from "./support/whip_client.ts";
import { interleave, ivfFrames, opusFrames, paced } from "./support/rtmp_media.ts";
import type { Frame } from "../src/core/mod.ts";
import { RtmpClient } from "../src/protocols/rtmp/mod.ts";

requireTool("chromium");
requireTool("ffmpeg");

const ARGS = [...CHROMIUM_ARGS, "--allow-loopback-in-peer-connection"];

async function page(browser: Browser, ts: TestServer) {
  const p = await browser.newPage();
  await p.goto(ts.http("/api/status"));
  return p;
}

const VP9 = libvpx("libvpx-vp9");

/** The AV1 encoder this ffmpeg has, low-delay (SVT-AV1 preferred: the fastest). */
async function av1Encoder(): Promise<string[]> {
  const list = (await run("ffmpeg", ["-hide_banner", "-encoders"], { timeoutMs: 10_000 })).stdout;
  if (/\blibsvtav1\b/.test(list)) {
    return [
      "-c:v",
      "libsvtav1",
      "-preset",
      "12",
      "-svtav1-params",
      "pred-struct=1:lp=1",
      "-g",
      "30",
      "-b:v",
      "500k",
    ];
  }
  if (/\blibaom-av1\b/.test(list)) {
    return ["-c:v", "libaom-av1", "-usage", "realtime", "-cpu-used", "10", "-lag-in-frames", "0", "-g", "30"];
  }
  throw new Error("ffmpeg has no AV1 encoder (libsvtav1 or libaom-av1): install one to run this test");
}

/** Publishes frames over Enhanced RTMP with our RtmpClient, in real time, looping until stopped. */
async function publishEnhanced(url: string, frames: Frame[]): Promise<{ stop(): Promise<void> }> {
  const client = await RtmpClient.connect(url);
  await client.publish({ form: "enhanced" });
  let stopped = false;
  const done = (async () => {
    const last = frames.at(-1)!;
    const span = Math.ceil(last.dts / last.track.clockRate * 1000) + 40;
    for (let loop = 0; !stopped && !client.closed; loop++) {
      // Each loop continues the clock: shift every timestamp by the loops played so far.
      const shifted = frames.map((f) => {
        const d = Math.round(loop * span * f.track.clockRate / 1000);
        return { ...f, dts: f.dts + d, pts: f.pts + d };
      });
      const t0 = Date.now();
      await paced(shifted, async (f) => {
        if (!stopped && !client.closed) await client.write(f);
      });
      const rest = span - (Date.now() - t0);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done.catch(() => {});
      await client.stop().catch(() => {});
    },
  };
}

Deno.test("whep codecs: an H265 source plays audio only (one log line); H264 + PCMU is heard as PCMU", async () => {
  const ts = await startTestServer();
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  const rtsp = ["-rtsp_transport", "tcp"];
  const pubs = [
    ffmpegPublish({
      url: ts.rtsp("/live/hevc"),
      format: "rtsp",
      seconds: 40,
      video: H265,
      audio: OPUS,
      extra: rtsp,
    }),
    ffmpegPublish({
      url: ts.rtsp("/live/pcmu"),
      format: "rtsp",
      seconds: 40,
      video: H264B,
      audio: PCMU,
      extra: rtsp,
    }),
  ];
  try {
    await Promise.all([
      waitLive(ts.hub, "live/hevc", { videoFrames: 30, timeoutMs: 25_000 }),
      waitLive(ts.hub, "live/pcmu", { videoFrames: 30, timeoutMs: 25_000 }),
    ]);
    assert.equal(ts.hub.get("live/hevc")!.videoTrack?.codec, "h265");
    const [hevc, pcmu] = await Promise.all([
      // frames: 0 → done as soon as audio energy is seen; then 3 s more to be sure no video comes.
      page(browser, ts).then((p) =>
        whepPlay(p, ts.http("/live/hevc/whep"), { frames: 0, timeoutMs: 20_000, audio: true })
      ),
      page(browser, ts).then((p) =>
        whepPlay(p, ts.http("/live/pcmu/whep"), { frames: 60, timeoutMs: 20_000, audio: true })
      ),
    ]);
    for (const [name, r] of [["hevc", hevc], ["pcmu", pcmu]] as const) {
      console.log(
        `${name}: status ${r.status}, video ${
          r.videoMime || "none"
        } ${r.framesDecoded} frames (first after ` +
          `${r.firstFrameMs} ms), audio ${r.audioMime || "none"} energy ${r.totalAudioEnergy.toFixed(3)} ` +
          `(${r.audioPackets} packets)`,
      );
    }
    assert.equal(hevc.status, 201, hevc.error);
    assert.equal(hevc.framesDecoded, 0, "no video frame from an H265 source to a browser without H265");
    assert.equal(hevc.videoMime, "");
    assert.equal(hevc.audioMime.toLowerCase(), "audio/opus");
    assert.ok(hevc.totalAudioEnergy > 0, `hevc audio energy ${hevc.totalAudioEnergy}`);
    const audioOnly = ts.lines.filter((l) => l.includes("whep audio only"));
    assert.equal(audioOnly.length, 1, audioOnly.join("\n"));
    assert.match(audioOnly[0], /live\/hevc/);
    assert.match(audioOnly[0], /the source video is H265, which the offer lacks/);
    console.log(audioOnly[0]);

    assert.equal(pcmu.status, 201, pcmu.error);
    assert.equal(pcmu.audioMime, "audio/PCMU");
    assert.ok(pcmu.totalAudioEnergy > 0, `pcmu audio energy ${pcmu.totalAudioEnergy}`);
    assert.ok(pcmu.framesDecoded >= 60, `pcmu: ${pcmu.framesDecoded} frames`);
    assert.equal(pcmu.videoMime, "video/H264");
  } finally {
    await Promise.all(pubs.map((p) => p.stop()));
    await browser.close();
    await ts.close();
  }
});

Deno.test("whep codecs: Enhanced RTMP VP9 and AV1 sources are decoded by Chromium as VP9 and AV1", async () => {
  const dir = await Deno.makeTempDir();
  const [vp9, av1, opus] = await Promise.all([
    ivfFrames(dir, 10, "vp9", VP9),
    av1Encoder().then((enc) => ivfFrames(dir, 10, "av1", enc)),
    opusFrames(dir, 10),
  ]);
  const ts = await startTestServer();
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  const pubs = await Promise.all([
    publishEnhanced(ts.rtmp("/live/vp9"), interleave(vp9, opus)),
    publishEnhanced(ts.rtmp("/live/av1"), av1),
  ]);
  try {
    await Promise.all([
      waitLive(ts.hub, "live/vp9", { videoFrames: 30, timeoutMs: 25_000 }),
      waitLive(ts.hub, "live/av1", { videoFrames: 30, audio: false, timeoutMs: 25_000 }),
    ]);
    assert.equal(ts.hub.get("live/vp9")!.videoTrack?.codec, "vp9");
    assert.equal(ts.hub.get("live/av1")!.videoTrack?.codec, "av1");
    const [v, a] = await Promise.all([
      page(browser, ts).then((p) =>
        whepPlay(p, ts.http("/live/vp9/whep"), { frames: 60, timeoutMs: 25_000, audio: true })
      ),
      page(browser, ts).then((p) =>
        whepPlay(p, ts.http("/whep/v1?app=live&name=av1"), { frames: 60, timeoutMs: 25_000, audio: false })
      ),
    ]);
    for (const [name, r] of [["vp9", v], ["av1", a]] as const) {
      console.log(
        `${name}: status ${r.status}, ${r.videoMime} ${r.framesDecoded} frames decoded (first after ` +
          `${r.firstFrameMs} ms), freezes ${r.freezeCount}, audio ${r.audioMime || "none"}; ${
            r.states.join(", ")
          }`,
      );
    }
    assert.equal(v.status, 201, v.error);
    assert.equal(v.videoMime, "video/VP9");
    assert.ok(v.framesDecoded >= 60, `vp9: ${v.framesDecoded} frames decoded`);
    assert.equal(v.audioMime.toLowerCase(), "audio/opus");
    assert.ok(v.totalAudioEnergy > 0);
    assert.equal(a.status, 201, a.error);
    assert.equal(a.videoMime, "video/AV1");
    assert.ok(a.framesDecoded >= 60, `av1: ${a.framesDecoded} frames decoded`);
  } finally {
    await Promise.all(pubs.map((p) => p.stop()));
    await browser.close();
    await ts.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("whip codecs: Chromium publishes VP8 over WHIP; a WHEP viewer in Chromium decodes it as VP8, an Enhanced RTMP player gets it, and ffmpeg over RTSP, HLS and DASH", async () => {
  const ts = await startTestServer();
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [...ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
  });
  try {
    const pub = await page(browser, ts);
    const r = await whipPublish(pub, ts.http("/live/vp8/whip"), "", "video/VP8");
    assert.equal(r.status, 201, r.error);
    assert.equal(r.state, "connected");
    const s = await waitLive(ts.hub, "live/vp8", { videoFrames: 30, timeoutMs: 25_000 });
    assert.equal(s.videoTrack?.codec, "vp8");
    assert.deepEqual([s.videoTrack?.width, s.videoTrack?.height], [640, 360]);
    assert.equal(s.audioTrack?.codec, "opus");
    const v = await whepPlay(await page(browser, ts), ts.http("/live/vp8/whep"), {
      frames: 60,
      timeoutMs: 25_000,
      audio: true,
    });
    console.log(
      `vp8 WHIP→WHEP: publisher sent ${r.sent.join(" ")}; viewer ${v.videoMime} ${v.framesDecoded} frames ` +
        `(first after ${v.firstFrameMs} ms), freezes ${v.freezeCount}, ${v.audioMime} energy ` +
        `${v.totalAudioEnergy.toFixed(3)}`,
    );
    assert.equal(v.status, 201, v.error);
    assert.equal(v.videoMime, "video/VP8");
    assert.ok(v.framesDecoded >= 60, `vp8: ${v.framesDecoded} frames decoded`);
    assert.equal(v.audioMime.toLowerCase(), "audio/opus");
    assert.ok(v.totalAudioEnergy > 0);
    assert.ok(ts.lines.some((l) => l.includes("whip publish start") && l.includes("video/VP8")));
    // An Enhanced RTMP player that lists vp08 gets the VP8 frames too (with the Opus audio).
    const player = await RtmpClient.connect(ts.rtmp("/live/vp8"), { fourCcList: ["vp08", "Opus"] });
    try {
      await player.play();
      const got = { vp8: 0, vp8Keys: 0, opus: 0 };
      const until = Date.now() + 10_000;
      for await (const f of player.frames()) {
        if (f.track.codec === "vp8") {
          got.vp8++;
          if (f.key) got.vp8Keys++;
        } else if (f.track.codec === "opus") got.opus++;
        if ((got.vp8 >= 60 && got.opus >= 50) || Date.now() > until) break;
      }
      console.log(`Enhanced RTMP player: ${JSON.stringify(got)}`);
      assert.ok(got.vp8 >= 60 && got.vp8Keys >= 1, JSON.stringify(got));
      assert.ok(got.opus >= 50, JSON.stringify(got));
    } finally {
      await player.stop().catch(() => {});
    }
    // RTSP (RFC 7741), HLS (fMP4: TS has no VP8 mapping) and DASH carry it too; ffmpeg decodes each.
    const outputs = {
      rtsp: ts.rtsp("/live/vp8"),
      hls: ts.http("/live/vp8.m3u8"),
      dash: ts.http("/live/vp8.mpd"),
    };
    const decoded = await Promise.all(
      Object.entries(outputs).map(async ([name, url]) => {
        const r = await decodedFrames(url, {
          frames: 60,
          timeoutMs: 30_000,
          inputArgs: name === "rtsp" ? ["-rtsp_transport", "tcp"] : [],
        });
        const probe = await ffprobeJson(url, {
          timeoutMs: 20_000,
          inputArgs: name === "rtsp" ? ["-rtsp_transport", "tcp"] : [],
        });
        return { name, frames: r.frames, stderr: r.stderr, codecs: probe.streams.map((s) => s.codec_name) };
      }),
    );
    console.log(
      `vp8 WHIP → ${decoded.map((d) => `${d.name} ${d.frames} frames ${d.codecs.join("+")}`).join(", ")}`,
    );
    for (const d of decoded) {
      assert.ok(d.frames >= 60, `${d.name}: ${d.frames} VP8 frames decoded\n${d.stderr.slice(-600)}`);
      assert.ok(d.codecs.includes("vp8"), `${d.name}: ${d.codecs}`);
    }
  } finally {
    await browser.close();
    await ts.close();
  }
});
