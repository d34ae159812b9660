/**
 * SRT publish and play with real clients: ffmpeg (libsrt 1.5) publishes H.264+AAC, H.265+AAC, H.264+Opus;
 * ffmpeg, ffprobe and srt-live-transmit pull them back; smart_rtmpd and bare stream ids route.
 */
import assert from "node:assert/strict";
import { connectSrt } from "../src/protocols/srt/mod.ts";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  ffprobeJson,
  H264B,
  H265,
  OPUS,
  requireTool,
  run,
  startTestServer,
  waitLive,
} from "./support/mod.ts";
import { pullWithSrtLiveTransmit, srtStats, waitNoSessions } from "./support/srt_client.ts";

const LIVE = { audio: false, videoFrames: 11 };

Deno.test("ffmpeg SRT publish H.264+AAC → ffmpeg, ffprobe and srt-live-transmit over SRT", async () => {
  requireTool("ffmpeg");
  requireTool("ffprobe");
  requireTool("srt-live-transmit");
  const ts = await startTestServer();
  const pub = ffmpegPublish({
    url: ts.srt("#!::r=live/feed,m=publish"),
    format: "mpegts",
    seconds: 12,
    video: H264B,
    audio: AAC,
  });
  const dir = await Deno.makeTempDir();
  try {
    await waitLive(ts.hub, "live/feed", LIVE);
    const [play, probe, slt] = await Promise.all([
      decodedFrames(ts.srt("#!::r=live/feed,m=request"), { frames: 90, timeoutMs: 15_000 }),
      ffprobeJson(ts.srt("#!::r=live/feed,m=request"), { timeoutMs: 15_000 }),
      pullWithSrtLiveTransmit(ts.srt("#!::r=live/feed,m=request"), 3),
    ]);
    assert.ok(play.frames >= 81, `decoded ${play.frames}/90 frames: ${play.stderr}`);
    const v = probe.streams.find((s) => s.codec_type === "video")!;
    const a = probe.streams.find((s) => s.codec_type === "audio")!;
    assert.equal(v.codec_name, "h264");
    assert.equal(v.profile, "Constrained Baseline");
    assert.deepEqual([v.width, v.height], [640, 360]);
    assert.equal(a.codec_name, "aac");
    assert.deepEqual([a.sample_rate, a.channels], ["44100", 2]);

    const file = `${dir}/pulled.ts`;
    assert.ok(slt.length > 50_000, `srt-live-transmit pulled ${slt.length} bytes`);
    await Deno.writeFile(file, slt);
    const fp = await ffprobeJson(file, { timeoutMs: 10_000 });
    assert.deepEqual(fp.streams.map((s) => s.codec_name).sort(), ["aac", "h264"]);

    // Per-session stats for the API.
    const st = srtStats(ts);
    const publisher = st.list.find((s) => s.role === "publisher")!;
    assert.equal(publisher.key, "live/feed");
    assert.ok(publisher.recv.packets > 100 && publisher.recv.bytes > 100_000, JSON.stringify(publisher));
    assert.ok(publisher.rttMs >= 0 && publisher.recv.bitrateKbps > 0, JSON.stringify(publisher));
  } finally {
    await pub.stop();
    await waitNoSessions(ts);
    await ts.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("H.265+AAC and H.264+Opus over SRT, and smart_rtmpd / bare stream ids both ways", async () => {
  requireTool("ffmpeg");
  const ts = await startTestServer();
  const hevc = ffmpegPublish({
    url: ts.srt("#!::r=live/hevc,m=publish"),
    format: "mpegts",
    seconds: 10,
    size: "320x240",
    video: H265,
    audio: AAC,
  });
  const opus = ffmpegPublish({
    url: ts.srt("#!::r=live/opus,m=publish"),
    format: "mpegts",
    seconds: 10,
    size: "320x240",
    video: H264B,
    audio: OPUS,
  });
  const smart = ffmpegPublish({
    url: ts.srt(`127.0.0.1:${ts.port("srt")}/live/smart,role=publisher`),
    format: "mpegts",
    seconds: 10,
    size: "320x240",
    video: H264B,
    audio: AAC,
  });
  try {
    await Promise.all([
      waitLive(ts.hub, "live/hevc", LIVE),
      waitLive(ts.hub, "live/smart", LIVE),
      waitLive(ts.hub, "live/opus", LIVE),
    ]);
    assert.equal(ts.hub.get("live/smart")!.vhost, "127.0.0.1");
    const [h, s, bare, probe, opusProbe] = await Promise.all([
      decodedFrames(ts.srt("#!::r=live/hevc,m=request"), { frames: 60, timeoutMs: 15_000 }),
      decodedFrames(ts.srt(`127.0.0.1:${ts.port("srt")}/live/smart,role=player`), {
        frames: 60,
        timeoutMs: 15_000,
      }),
      decodedFrames(ts.srt("live/smart"), { frames: 60, timeoutMs: 15_000 }),
      ffprobeJson(ts.srt("live/hevc"), { timeoutMs: 15_000 }),
      ffprobeJson(ts.srt("live/opus"), { timeoutMs: 15_000 }),
    ]);
    assert.equal(ts.hub.get("live/opus")!.audioTrack?.codec, "opus");
    // Published as Opus, played as AAC: SRT players get the stream's AAC view (<rtc><transcode> on).
    assert.deepEqual(opusProbe.streams.map((x) => x.codec_name).sort(), ["aac", "h264"]);
    assert.ok(h.frames >= 54, `hevc: ${h.frames}/60 ${h.stderr}`);
    assert.ok(s.frames >= 54, `smart: ${s.frames}/60 ${s.stderr}`);
    assert.ok(bare.frames >= 54, `bare: ${bare.frames}/60 ${bare.stderr}`);
    assert.deepEqual(probe.streams.map((x) => x.codec_name).sort(), ["aac", "hevc"]);
  } finally {
    await Promise.all([hevc.stop(), smart.stop(), opus.stop()]);
    await waitNoSessions(ts);
    await ts.close();
  }
});

Deno.test("hub refusals reach ffmpeg as SRT rejections: busy, not found, forbidden app, bad stream id", async () => {
  requireTool("ffmpeg");
  const ts = await startTestServer();
  const holder = await connectSrt({
    hostname: "127.0.0.1",
    port: ts.port("srt"),
    streamId: "#!::r=live/busy,m=publish",
  });
  try {
    const publish = (sid: string) =>
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
        ts.srt(sid),
      ], { timeoutMs: 10_000 });
    const play = (sid: string) =>
      run(
        "ffmpeg",
        ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", ts.srt(sid), "-f", "null", "-"],
        {
          timeoutMs: 10_000,
        },
      );
    const results = await Promise.all([
      publish("#!::r=live/busy,m=publish"),
      play("#!::r=live/missing,m=request"),
      publish("#!::r=nope/feed,m=publish"),
      publish("#!::r=live,m=publish"),
    ]);
    for (const r of results) {
      assert.notEqual(r.code, 0, r.stderr);
      assert.ok(!r.timedOut, "refused at once");
    }
    for (const reason of ["conflict", "not found", "forbidden", "bad request"]) {
      assert.ok(
        ts.lines.some((l) =>
          l.includes("srt connection rejected") && new RegExp(`reason="?${reason}"?`).test(l)
        ),
        `${reason}: ${ts.lines.join("\n")}`,
      );
    }
    assert.equal(srtStats(ts).sessions, 1, "only the holder");
  } finally {
    await holder.close();
    await waitNoSessions(ts);
    await ts.close();
  }
});
