/**
 * RTMP/RTMPS publish and play with real clients: ffmpeg publishes H264 High (B-frames) + AAC;
 * ffmpeg, ffprobe, rtmpdump and GStreamer rtmp2src play it over RTMP, ffmpeg over RTMPS (verified
 * self-signed certificate), 20 more players share it, and a late joiner starts within one GOP.
 * G.711 (PCMA/PCMU) comes back as pcm_alaw/pcm_mulaw.
 */
import assert from "node:assert/strict";
import { RtmpClient } from "../src/protocols/rtmp/mod.ts";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  ffprobeJson,
  H264B,
  H264H,
  PCMA,
  PCMU,
  requireTool,
  run,
  startTestServer,
  waitFor,
} from "./support/mod.ts";

/** The RTMP service's counters. */
type RtmpStats = { connections: number; players: number };

const RW = ["-rw_timeout", "5000000"];

async function rtmpdump(url: string, file: string, seconds: number) {
  requireTool("rtmpdump");
  // exits by itself at the end of the stream; `timeout` only guards against a hang
  return await run("timeout", [String(seconds), "rtmpdump", "-q", "--live", "-r", url, "-o", file], {
    timeoutMs: (seconds + 5) * 1000,
  });
}

async function packets(file: string): Promise<{ video: number; codec: string; width: number }> {
  const r = await run("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-count_packets",
    "-show_entries",
    "stream=codec_name,width,nb_read_packets",
    "-of",
    "json",
    file,
  ], { timeoutMs: 20_000 });
  const s = JSON.parse(r.stdout).streams?.[0] ?? {};
  return { video: Number(s.nb_read_packets ?? 0), codec: s.codec_name, width: s.width };
}

/** rtmp2src → flvdemux → avdec_h264, counting decoded video buffers and reading the caps. */
async function gstPlay(url: string, frames: number) {
  requireTool("gst-launch-1.0");
  const r = await run("gst-launch-1.0", [
    "-v",
    "rtmp2src",
    `location=${url}`,
    "timeout=5",
    "!",
    "flvdemux",
    "name=d",
    "d.video",
    "!",
    "queue",
    "!",
    "h264parse",
    "!",
    "avdec_h264",
    "!",
    "identity",
    "name=vid",
    "silent=false",
    `eos-after=${frames}`,
    "!",
    "fakesink",
    "d.audio",
    "!",
    "queue",
    "!",
    "identity",
    `eos-after=${frames}`,
    "!",
    "fakesink",
  ], { timeoutMs: 20_000 });
  const out = r.stdout + r.stderr;
  return {
    code: r.code,
    decoded: out.match(/vid: last-message = chain/g)?.length ?? 0,
    raw: /video\/x-raw, format=\(string\)I420, width=\(int\)640, height=\(int\)360/.test(out),
    aac: /audio\/mpeg, mpegversion=\(int\)4/.test(out),
    out,
  };
}

Deno.test("rtmp play: H264 High + AAC to ffmpeg, rtmpdump, gst, RTMPS, 20 more players and a fast start", async () => {
  requireTool("ffmpeg");
  const ts = await startTestServer({}, { tls: true });
  const { hub, root: dir } = ts;
  const cert = ts.cert!;
  const url = ts.rtmp("/live/main");
  const urls = ts.rtmps("/live/main");
  const tlsArgs = ["-tls_verify", "1", "-ca_file", cert.certFile];
  const pub = ffmpegPublish({ url, format: "flv", seconds: 11, video: H264H, audio: AAC });
  try {
    await waitFor(() => hub.get("live/main")?.videoTrack, 10_000, "the publisher's video track");
    let peakPlayers = 0;
    const peak = setInterval(
      () => peakPlayers = Math.max(peakPlayers, ts.stats<RtmpStats>("rtmp").players),
      200,
    );

    const ffplay = decodedFrames(url, { frames: 210, timeoutMs: 15_000, inputArgs: RW });
    const probe = ffprobeJson(url, { timeoutMs: 10_000, inputArgs: RW });
    const dump = rtmpdump(url, `${dir}/dump.flv`, 14);
    const gst = gstPlay(url, 200);
    const tlsPlay = decodedFrames(urls, { frames: 210, timeoutMs: 15_000, inputArgs: [...RW, ...tlsArgs] });
    const tlsProbe = ffprobeJson(urls, { timeoutMs: 10_000, inputArgs: [...RW, ...tlsArgs] });

    // 20 more players on the same stream: 10 rtmpdump and 10 of our clients, ~4 s each.
    const dumps = Array.from({ length: 10 }, (_, i) => rtmpdump(url, `${dir}/p${i}.flv`, 4));
    const clients = Array.from({ length: 10 }, async () => {
      const c = await RtmpClient.connect(url);
      await c.play();
      let video = 0;
      const stop = setTimeout(() => c.close(), 4000);
      for await (const f of c.frames()) if (f.track.kind === "video") video++;
      clearTimeout(stop);
      await c.done;
      return video;
    });

    // Fast start: a player joining mid-GOP gets the cached GOP at once, from its keyframe.
    await new Promise((r) => setTimeout(r, 1500));
    const late = await RtmpClient.connect(url);
    const t0 = performance.now();
    await late.play();
    let firstKey: boolean | undefined;
    let firstMs = 0;
    for await (const f of late.frames()) {
      if (f.track.kind !== "video") continue;
      firstKey = f.key;
      firstMs = performance.now() - t0;
      break;
    }
    late.close();
    await late.done;
    assert.equal(firstKey, true, "a late joiner's first video frame is a keyframe");
    assert.ok(firstMs < 1000, `first frame after ${firstMs.toFixed(0)} ms, GOP is 1 s`);

    const counts = await Promise.all(clients);
    for (const [i, n] of counts.entries()) assert.ok(n >= 90, `our client ${i} got ${n} video frames in 4 s`);
    for (const [i, d] of (await Promise.all(dumps)).entries()) {
      const p = await packets(`${dir}/p${i}.flv`);
      assert.equal(p.codec, "h264", `rtmpdump ${i}: ${d.stderr}`);
      assert.ok(p.video >= 90, `rtmpdump ${i} got ${p.video} video packets in 4 s`);
    }

    const played = await ffplay;
    assert.ok(played.frames >= 200, `ffmpeg RTMP decoded ${played.frames} frames: ${played.stderr}`);
    const tlsPlayed = await tlsPlay;
    assert.ok(
      tlsPlayed.frames >= 200,
      `ffmpeg RTMPS decoded ${tlsPlayed.frames} frames: ${tlsPlayed.stderr}`,
    );
    for (const info of [await probe, await tlsProbe]) {
      const v = info.streams.find((s) => s.codec_type === "video")!;
      const a = info.streams.find((s) => s.codec_type === "audio")!;
      assert.equal(v.codec_name, "h264");
      assert.equal(v.profile, "High");
      assert.deepEqual([v.width, v.height], [640, 360]);
      assert.equal(a.codec_name, "aac");
      assert.equal(a.sample_rate, "44100");
      assert.equal(a.channels, 2);
    }
    const g = await gst;
    assert.equal(g.code, 0, g.out.slice(-2000));
    assert.ok(g.decoded >= 200, `gst decoded ${g.decoded} frames`);
    assert.ok(g.raw && g.aac, "gst negotiated 640x360 I420 video and AAC audio");

    await dump;
    const d = await packets(`${dir}/dump.flv`);
    assert.equal(d.codec, "h264");
    assert.equal(d.width, 640);
    const dumped = await decodedFrames(`${dir}/dump.flv`, { frames: 1000, timeoutMs: 20_000 });
    assert.ok(dumped.frames >= 200, `rtmpdump's file decodes to ${dumped.frames} frames`);

    clearInterval(peak);
    assert.ok(peakPlayers >= 25, `peak of ${peakPlayers} concurrent players`);
    const stops = ts.lines.filter((l) => l.includes("rtmp session stop"));
    const starts = ts.lines.filter((l) => l.includes("rtmp session start"));
    assert.ok(starts.length >= 28);
    await pub.stop();
    await waitFor(() => ts.stats<RtmpStats>("rtmp").connections === 0, 5000, "every session to end");
    assert.equal(ts.lines.filter((l) => l.includes("rtmp session stop")).length, starts.length);
    assert.ok(stops.every((l) => !l.includes("drops=") || l.includes("drops=0")), "no player was dropped");
  } finally {
    await pub.stop();
    await ts.close();
  }
});

Deno.test("rtmp play: H264 + PCMA and H264 + PCMU (one published over RTMPS) probe as pcm_alaw / pcm_mulaw", async () => {
  const ts = await startTestServer({}, { tls: true });
  const { hub } = ts;
  const cert = ts.cert!;
  const tlsArgs = ["-tls_verify", "1", "-ca_file", cert.certFile];
  const cases = [
    {
      key: "pcma",
      audio: PCMA,
      codec: "pcm_alaw",
      url: ts.rtmp("/live/pcma"),
      extra: [],
    },
    {
      key: "pcmu",
      audio: PCMU,
      codec: "pcm_mulaw",
      url: ts.rtmps("/live/pcmu"),
      extra: tlsArgs,
    },
  ];
  const pubs = cases.map((c) =>
    ffmpegPublish({
      url: c.url,
      format: "flv",
      seconds: 6,
      video: H264B,
      audio: c.audio,
      extra: c.extra,
      size: "320x240",
    })
  );
  try {
    await Promise.all(cases.map(async (c) => {
      await waitFor(() => hub.get(`live/${c.key}`)?.audioTrack, 10_000, `${c.key} audio track`);
      const info = await ffprobeJson(ts.rtmp(`/live/${c.key}`), {
        timeoutMs: 10_000,
        inputArgs: RW,
      });
      const a = info.streams.find((s) => s.codec_type === "audio");
      const v = info.streams.find((s) => s.codec_type === "video");
      assert.equal(a?.codec_name, c.codec);
      assert.equal(a?.sample_rate, "8000");
      assert.equal(a?.channels, 1);
      assert.equal(v?.codec_name, "h264");
    }));
  } finally {
    await Promise.all(pubs.map((p) => p.stop()));
    await ts.close();
  }
});
