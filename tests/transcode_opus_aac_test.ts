/**
 * Opus → AAC on a live stream of the real server: ffmpeg publishes H.264 + Opus over RTSP, with a
 * white flash in the video and a 1 kHz beep in the audio at every whole second of the source. ffmpeg
 * plays it over HTTP-FLV (legacy FLV has no Opus: the server transcodes to AAC once per stream);
 * ffprobe must see AAC, the decoded audio must carry the beeps, and each beep's onset must meet its
 * flash's video frame within 20 ms (audio/video sync after transcoding).
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

function publishFlashesAndBeeps(url: string) {
  return spawnBackground("ffmpeg", [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", "-re"],
    ...[
      "-f",
      "lavfi",
      "-i",
      "color=c=black:s=160x120:r=30,format=yuv420p,geq=lum='if(lt(mod(T\\,1)\\,0.1)\\,235\\,16)':cb=128:cr=128",
    ],
    ...["-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*1000*t)*lt(mod(t\\,1)\\,0.1)':s=48000:c=stereo"],
    ...["-t", String(SECONDS), ...H264B, ...OPUS, "-f", "rtsp", "-rtsp_transport", "tcp", url],
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

Deno.test("an RTSP Opus publisher played by ffmpeg over HTTP-FLV, RTMP and MPEG-TS HLS gets AAC, in sync within 20 ms", async () => {
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
    ]);
    // While they play: one AAC view and one transcoder, shared.
    const ids = () => stream.outputs.ids().filter((id) => id.startsWith("audio:")).sort();
    await waitFor(
      () => stream.outputs.refs("audio:aac-view") === 3 ? true : undefined,
      20_000,
      "the three outputs on the view",
    );
    assert.deepEqual(ids(), ["audio:aac-view", "audio:aac:default"]);
    assert.equal(stream.outputs.refs("audio:aac:default"), 1);
    assert.ok(streamWarnings(stream).includes("transcoding: Opus → AAC for RTMP, FLV and TS HLS players"));
    await played;
    await waitFor(
      () => !stream.outputs.has("audio:aac-view"),
      10_000,
      "the last player's leave stops the view",
    );
  } finally {
    await pub.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
