/**
 * Opus → AAC on a live stream of the real server: ffmpeg publishes H.264 + Opus over RTSP, with a
 * white flash in the video and a 1 kHz beep in the audio at every whole second of the source. ffmpeg
 * plays it over HTTP-FLV, RTMP, TS HLS and SRT (legacy FLV has no Opus, TS players expect AAC: the
 * server transcodes to AAC once per stream);
 * ffprobe must see AAC, the decoded audio must carry the beeps, and each beep's onset must meet its
 * flash's video frame within 20 ms (audio/video sync after transcoding). Then the settings:
 * `<rtc><aacbitrate>` sets the AAC bitrate players get, and `<rtc><transcode>` false (by reload) gives
 * players that come after it the source's Opus as it is, with one log line each.
 */
import assert from "node:assert/strict";
import { streamWarnings } from "../src/http/stream_info.ts";
import {
  H264B,
  OPUS,
  requireTool,
  run,
  spawnBackground,
  startTestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";

requireTool("ffmpeg");
requireTool("ffprobe");

const SECONDS = 14;

function publishFlashesAndBeeps(url: string, seconds = SECONDS) {
  return spawnBackground("ffmpeg", [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", "-re"],
    ...[
      "-f",
      "lavfi",
      "-i",
      "color=c=black:s=160x120:r=30,format=yuv420p,geq=lum='if(lt(mod(T\\,1)\\,0.1)\\,235\\,16)':cb=128:cr=128",
    ],
    ...["-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*1000*t)*lt(mod(t\\,1)\\,0.1)':s=48000:c=stereo"],
    ...["-t", String(seconds), ...H264B, ...OPUS, "-f", "rtsp", "-rtsp_transport", "tcp", url],
  ]);
}

/** ffprobe through a lavfi filter graph: one [pts_time, value] per frame. */
async function probeSeries(graph: string, tag: string): Promise<[number, number][]> {
  const r = await run("ffprobe", [
    ...["-v", "error", "-f", "lavfi", "-i", graph],
    ...["-show_entries", `frame=pts_time:frame_tags=${tag}`, "-of", "csv=p=0"],
  ], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `ffprobe ${graph}: ${r.stderr}`);
  return r.stdout.trim().split("\n").map((l) => l.split(",").map(Number) as [number, number])
    .filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v));
}

/** Times where the series rises through `threshold`. */
function onsets(series: [number, number][], threshold: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < series.length; i++) {
    if (series[i][1] > threshold && series[i - 1][1] <= threshold) out.push(series[i][0]);
  }
  return out;
}

/** Records `seconds` of a played URL (stream copy) and checks codecs, audio energy and A/V sync. */
async function playedInSync(url: string, file: string, inputArgs: string[] = []): Promise<void> {
  const rec = await run("ffmpeg", [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", ...inputArgs, "-i", url],
    ...["-t", "8", "-c", "copy", "-y", file],
  ], { timeoutMs: 40_000 });
  assert.equal(rec.code, 0, `recording ${url}: ${rec.stderr}`);
  const probe = await run("ffprobe", ["-v", "error", "-show_streams", "-of", "json", file], {
    timeoutMs: 20_000,
  });
  const streams: { codec_type: string; codec_name: string; profile?: string }[] =
    JSON.parse(probe.stdout).streams;
  const audio = streams.find((s) => s.codec_type === "audio");
  assert.equal(audio?.codec_name, "aac", `${url}: audio is ${audio?.codec_name}`);
  assert.equal(audio?.profile, "LC");
  assert.equal(streams.find((s) => s.codec_type === "video")?.codec_name, "h264");

  const levels = await probeSeries(
    `amovie=${file},asetnsamples=n=48,astats=metadata=1:reset=1`,
    "lavfi.astats.Overall.RMS_level",
  );
  const loud = levels.filter(([, db]) => db > -20).length;
  assert.ok(
    loud > levels.length * 0.05,
    `the decoded audio carries the beeps (${loud} of ${levels.length} ms loud)`,
  );
  const beeps = onsets(levels, -30);
  const flashes = onsets(
    await probeSeries(`movie=${file},signalstats`, "lavfi.signalstats.YAVG"),
    128,
  );
  const offsets: number[] = [];
  for (const f of flashes) {
    const near = beeps.reduce((a, b) => Math.abs(b - f) < Math.abs(a - f) ? b : a, Infinity);
    if (Math.abs(near - f) < 0.5) offsets.push(near - f);
  }
  console.log(
    `${url}: ${flashes.length} flashes, ${beeps.length} beeps; beep − flash (ms): ${
      offsets.map((o) => Math.round(o * 1000)).join(" ")
    }`,
  );
  assert.ok(offsets.length >= 5, `at least 5 flash/beep pairs (${offsets.length})`);
  for (const o of offsets) assert.ok(Math.abs(o) <= 0.02, `a beep ${Math.round(o * 1000)} ms off its flash`);
}

Deno.test("an RTSP Opus publisher played by ffmpeg over HTTP-FLV, RTMP, MPEG-TS HLS and SRT gets AAC, in sync within 20 ms", async () => {
  await using ts = await startTestServer({});
  const dir = await Deno.makeTempDir();
  const pub = publishFlashesAndBeeps(ts.rtsp("/live/beeps"));
  try {
    const stream = await waitLive(ts.hub, "live/beeps", { timeoutMs: 20_000 });
    assert.equal(stream.audioTrack?.codec, "opus");
    const played = Promise.all([
      playedInSync(ts.http("/live/beeps.flv"), `${dir}/flv.flv`),
      playedInSync(ts.rtmp("/live/beeps"), `${dir}/rtmp.flv`),
      playedInSync(ts.http("/live/beeps.m3u8"), `${dir}/hls.ts`),
      playedInSync(ts.srt("#!::r=live/beeps,m=request"), `${dir}/srt.ts`),
    ]);
    // While they play: one AAC view and one transcoder, shared.
    const ids = () => stream.outputs.ids().filter((id) => id.startsWith("audio:")).sort();
    await waitFor(
      () => stream.outputs.refs("audio:aac-view:128000") === 4 ? true : undefined,
      20_000,
      "the four outputs on the view",
    );
    // The default <rtc><aacbitrate>, 128 kbit/s.
    assert.deepEqual(ids(), ["audio:aac-view:128000", "audio:aac:128000"]);
    assert.equal(stream.outputs.refs("audio:aac:128000"), 1);
    assert.ok(streamWarnings(stream).includes("transcoding: Opus → AAC for RTMP, FLV and TS HLS players"));
    await played;
    await waitFor(
      () => !stream.outputs.ids().some((id) => id.startsWith("audio:")),
      10_000,
      "the last player's leave stops the view",
    );
  } finally {
    await pub.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** The first `n` bytes of a live HTTP-FLV answer. */
async function flvHead(url: string, n: number): Promise<Uint8Array> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const { value, done } = await reader.read();
    if (done) break;
    out.set(value.subarray(0, n - got), got);
    got += Math.min(value.length, n - got);
  }
  await reader.cancel();
  return out.subarray(0, got);
}

function indexOf(hay: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

interface Probed {
  streams: { codec_type: string; codec_name: string; codec_tag_string?: string }[];
  audioBytes: number;
  audioSeconds: number;
}

/** Records `seconds` of a played URL (stream copy, audio and video as the server sends them) and probes it. */
async function recordAndProbe(url: string, file: string, seconds: number): Promise<Probed> {
  const rec = await run("ffmpeg", [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", "-i", url],
    ...["-t", String(seconds), "-map", "0", "-c", "copy", "-y", file],
  ], { timeoutMs: 40_000 });
  assert.equal(rec.code, 0, `recording ${url}: ${rec.stderr}`);
  const probe = await run("ffprobe", [
    ...["-v", "error", "-show_streams", "-show_packets", "-select_streams", "a", "-of", "json", file],
  ], { timeoutMs: 20_000 });
  const all = await run("ffprobe", ["-v", "error", "-show_streams", "-of", "json", file], {
    timeoutMs: 20_000,
  });
  assert.equal(all.code, 0, `ffprobe ${file}: ${all.stderr}`);
  const packets: { size: string; pts_time: string; duration_time?: string }[] = probe.code === 0
    ? JSON.parse(probe.stdout).packets ?? []
    : [];
  const times = packets.map((p) => Number(p.pts_time)).filter(Number.isFinite);
  return {
    streams: JSON.parse(all.stdout).streams,
    audioBytes: packets.reduce((n, p) => n + Number(p.size), 0),
    audioSeconds: times.length > 1 ? Math.max(...times) - Math.min(...times) : 0,
  };
}

Deno.test("<rtc><aacbitrate> 64: HTTP-FLV players of an Opus source get AAC at about 64 kbit/s; after a reload with <rtc><transcode> false FLV gets no AAC and SRT/HLS get Opus in TS, each saying why once", async () => {
  await using ts = await startTestServer({ rtc: { aacbitrate: 64 } });
  const dir = await Deno.makeTempDir();
  const pub = publishFlashesAndBeeps(ts.rtsp("/live/rate"), 40);
  try {
    const stream = await waitLive(ts.hub, "live/rate", { timeoutMs: 20_000 });
    assert.equal(stream.audioTrack?.codec, "opus");

    const at64 = await recordAndProbe(ts.http("/live/rate.flv"), `${dir}/64.flv`, 6);
    const audio = at64.streams.find((s) => s.codec_type === "audio");
    assert.equal(audio?.codec_name, "aac", `audio is ${audio?.codec_name}`);
    const kbps = at64.audioBytes * 8 / at64.audioSeconds / 1000;
    console.log(
      `aacbitrate 64: ${at64.audioBytes} bytes of AAC over ${at64.audioSeconds.toFixed(2)} s = ${
        kbps.toFixed(1)
      } kbit/s`,
    );
    assert.ok(at64.audioSeconds > 4, `AAC over most of the run (${at64.audioSeconds} s)`);
    assert.ok(kbps > 64 * 0.75 && kbps < 64 * 1.25, `about 64 kbit/s of AAC (${kbps.toFixed(1)})`);

    // Off by reload: players after it get the source as it is (no transcoder runs), one line each.
    await ts.reload({ rtc: { transcode: false } });
    // What a player receives (the first 256 KB), looked at by ffprobe (ffmpeg 5.1 predates Enhanced
    // FLV audio: it sees an audio stream of an unknown codec, not AAC) and in its bytes: an Enhanced FLV
    // Opus sequence start (SoundFormat 9, SequenceStart, FourCC "Opus").
    const reading = flvHead(ts.http("/live/rate.flv"), 256 << 10);
    await waitFor(
      () => stream.outputs.has("flv:legacy") ? true : undefined,
      20_000,
      "the player on the source",
    );
    assert.deepEqual(stream.outputs.ids().filter((id) => id.startsWith("audio:")), [], "no transcoder runs");
    const head = await reading;
    await Deno.writeFile(`${dir}/off.flv`, head);
    const probe = await run("ffprobe", ["-v", "error", "-show_streams", "-of", "json", `${dir}/off.flv`], {
      timeoutMs: 30_000,
    });
    assert.equal(probe.code, 0, `ffprobe: ${probe.stderr}`);
    const codecs = (JSON.parse(probe.stdout).streams as Probed["streams"]).map((s) =>
      `${s.codec_type}:${s.codec_name ?? s.codec_tag_string}`
    );
    console.log(`transcode off: ffprobe sees ${codecs.join(", ")}`);
    assert.ok(codecs.includes("video:h264"), codecs.join(", "));
    assert.ok(codecs.some((c) => c.startsWith("audio:")), `an audio stream: ${codecs.join(", ")}`);
    assert.ok(!codecs.includes("audio:aac"), `no AAC: ${codecs.join(", ")}`);
    assert.ok(
      indexOf(head, [0x90, ...new TextEncoder().encode("Opus")]) >= 0,
      "an Enhanced FLV Opus sequence start",
    );
    const flvWhy = ts.lines.filter((l) => l.includes("transcoding is off"));
    assert.equal(flvWhy.length, 1, `one line for the one player:\n${flvWhy.join("\n")}`);
    assert.match(flvWhy[0], /http-flv#\d+.*Opus|Opus.*http-flv#\d+/);

    // The TS outputs carry the Opus as it is (ffmpeg decodes Opus in TS): SRT and HLS players.
    const [srt, hls] = await Promise.all([
      recordAndProbe(ts.srt("#!::r=live/rate,m=request"), `${dir}/off_srt.ts`, 4),
      recordAndProbe(ts.http("/live/rate.m3u8"), `${dir}/off_hls.ts`, 4),
    ]);
    for (const [name, p] of [["srt", srt], ["hls", hls]] as const) {
      const codecs = p.streams.map((s) => `${s.codec_type}:${s.codec_name}`);
      console.log(`transcode off, ${name}: ${codecs.join(", ")}`);
      assert.ok(
        codecs.includes("audio:opus") && codecs.includes("video:h264"),
        `${name}: ${codecs.join(", ")}`,
      );
    }
    const why = ts.lines.filter((l) => l.includes("transcoding is off"));
    assert.equal(
      why.length,
      3,
      `one line per FLV and SRT player, one for the stream's HLS:\n${why.join("\n")}`,
    );
    assert.ok(why.some((l) => /srt#\d+/.test(l)) && why.some((l) => /hls/.test(l)), why.join("\n"));
  } finally {
    await pub.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
