/**
 * Recording end to end: a stream published to the rec app for ~72 s with recduration 1 min gives
 * two playlists, listed by the query API and played by ffprobe with #EXT-X-ENDLIST; a recording
 * server killed with SIGKILL leaves its completed segments playable. ffmpeg publishes over RTMP; a VP8 +
 * Opus stream published over RTSP is recorded in fMP4 (MPEG-TS has no VP8 mapping) and ffmpeg decodes it.
 */
import assert from "node:assert/strict";
import { parseMediaPlaylist } from "../src/formats/hls/mod.ts";
import { dayAndTime, repairRecordings } from "../src/record/mod.ts";
import { nullLogger } from "../src/log/mod.ts";
import {
  AAC,
  type Background,
  ffmpegPublish,
  ffprobeJson,
  getText,
  H264H,
  OPUS,
  requireTool,
  run,
  startEstuary,
  startTestServer,
  VP8,
  waitFor,
  waitLive,
} from "./support/mod.ts";

requireTool("ffmpeg");
requireTool("ffprobe");

async function duration(url: string): Promise<number> {
  const p = await ffprobeJson(url, { timeoutMs: 30_000 });
  return Number(p.format?.duration);
}

Deno.test("rec: 72 s with recduration 1 → two playlists, listed, ENDLIST, total duration ±2 s", async () => {
  // HLS recordings (recmode 1) in files of 1 minute, 2 s segments.
  const ts = await startTestServer({ http: { recmode: 1, recduration: 1, hlsduration: 2 } });
  const { hub } = ts;
  const base = ts.http("");
  const published = 72;
  const pub = ffmpegPublish({
    url: ts.rtmp("/rec/stream1"),
    format: "flv",
    seconds: published,
    video: H264H,
    audio: AAC,
    size: "320x180",
  });
  try {
    const t0 = Date.now();
    await waitLive(hub, "rec/stream1");
    const status = await pub.exited;
    assert.equal(status.code, 0, "ffmpeg published to the end");
    await waitFor(
      () => ts.stats<{ recording: number }>("recorder").recording === 0,
      10_000,
      "the recording to close",
    );

    const api = JSON.parse((await getText(`${base}/api/rec`)).text);
    assert.deepEqual(api, { dirs: ["stream1"] });
    const days = JSON.parse((await getText(`${base}/rec/stream1`)).text).dirs as string[];
    assert.deepEqual(days, [dayAndTime(t0)[0]]);
    const files = JSON.parse((await getText(`${base}/rec/stream1/${days[0]}`)).text).files as string[];
    assert.equal(files.length, 2, JSON.stringify(files));
    assert.deepEqual(JSON.parse((await getText(`${base}/rec/stream1?day=${days[0]}`)).text).files, files);

    let total = 0;
    for (const f of files) {
      const url = `${base}/rec/stream1/${days[0]}/${f}`;
      const p = parseMediaPlaylist((await getText(url)).text);
      assert.equal(p.endList, true, f);
      const d = await duration(url);
      assert.ok(Math.abs(d - p.duration) < 1, `${f}: ffprobe ${d} s, playlist ${p.duration} s`);
      total += p.duration;
    }
    // The ?day=&time= form serves the same playlist with absolute URLs.
    const q = `${base}/rec/stream1?day=${days[0]}&time=${files[1].replace(".m3u8", "")}`;
    assert.ok(Math.abs(await duration(q) - parseMediaPlaylist((await getText(q)).text).duration) < 1);
    assert.ok(Math.abs(total - published) <= 2, `recorded ${total} s of ${published} s`);
    const first = parseMediaPlaylist((await getText(`${base}/rec/stream1/${days[0]}/${files[0]}`)).text);
    assert.ok(Math.abs(first.duration - 60) <= 2, `the first file holds ${first.duration} s`);
  } finally {
    await pub.stop();
    await ts.close();
  }
});

Deno.test("rec: kill -9 of the recording server mid-recording leaves the completed segments playable", async () => {
  // The whole server in its own process, recording HLS (recmode 1) with 1 s segments.
  const dir = await Deno.makeTempDir();
  const root = `${dir}/rec`;
  const server = await startEstuary({
    root: dir,
    env: { ESTUARY_HTTP_RECMODE: "1", ESTUARY_HTTP_RECDURATION: "10", ESTUARY_HTTP_HLSDURATION: "1" },
  });
  let pub: Background | undefined;
  try {
    pub = ffmpegPublish({
      url: server.rtmp("/rec/crash"),
      format: "flv",
      seconds: 30,
      video: H264H,
      audio: AAC,
      size: "320x180",
    });
    const folder = `${root}/127.0.0.1/crash/${dayAndTime(Date.now())[0]}`;
    const playlist = await waitFor(
      async () => {
        try {
          for await (const e of Deno.readDir(folder)) {
            if (!e.name.endsWith(".m3u8")) continue;
            const p = parseMediaPlaylist(await Deno.readTextFile(`${folder}/${e.name}`));
            if (p.segments.length >= 4) return `${folder}/${e.name}`;
          }
        } catch { /* not there yet */ }
        return undefined;
      },
      30_000,
      "four recorded segments",
    );
    await server.stop("SIGKILL");
    await pub.stop();

    const text = await Deno.readTextFile(playlist);
    assert.ok(!text.includes("#EXT-X-ENDLIST"), "the crash left the playlist open");
    const p = parseMediaPlaylist(text);
    for (const s of p.segments) {
      const r = await run("ffprobe", [
        "-v",
        "error",
        "-count_frames",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=nb_read_frames",
        "-of",
        "csv=p=0",
        `${folder}/${s.uri}`,
      ], { timeoutMs: 10_000 });
      assert.ok(Number(r.stdout.trim().split("\n")[0]) >= 25, `${s.uri}: ${r.stdout} ${r.stderr}`);
    }
    // The next recorder start closes it; then it plays to the end.
    assert.deepEqual(await repairRecordings(root, nullLogger), [playlist]);
    const d = Number((await ffprobeJson(playlist, { timeoutMs: 20_000 })).format?.duration);
    assert.ok(Math.abs(d - p.duration) < 1, `ffprobe ${d} s, playlist ${p.duration} s`);
  } finally {
    await server.stop("SIGKILL");
    await pub?.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rec: VP8 + Opus published over RTSP is recorded as fMP4 HLS with both tracks; ffmpeg decodes the VP8", async () => {
  const ts = await startTestServer({ http: { recmode: 1, recduration: 1, hlsduration: 2 } });
  const base = ts.http("");
  const pub = ffmpegPublish({
    url: ts.rtsp("/rec/vp8"),
    format: "rtsp",
    seconds: 8,
    video: VP8,
    audio: OPUS,
    size: "320x180",
    extra: ["-rtsp_transport", "tcp"],
  });
  try {
    await waitLive(ts.hub, "rec/vp8");
    assert.equal((await pub.exited).code, 0, "ffmpeg published to the end");
    await waitFor(() => ts.stats<{ recording: number }>("recorder").recording === 0, 10_000, "the recording");
    const day = (JSON.parse((await getText(`${base}/rec/vp8`)).text).dirs as string[])[0];
    const [file] = JSON.parse((await getText(`${base}/rec/vp8/${day}`)).text).files as string[];
    const url = `${base}/rec/vp8/${day}/${file}`;
    const playlist = (await getText(url)).text;
    assert.match(playlist, /#EXT-X-MAP:URI=/, "fMP4 segments");
    assert.equal(parseMediaPlaylist(playlist).endList, true);
    const probe = await ffprobeJson(url, { timeoutMs: 30_000 });
    assert.deepEqual(probe.streams.map((x) => x.codec_name).sort(), ["opus", "vp8"]);
    const r = await run("ffmpeg", ["-v", "error", "-i", url, "-map", "0:v:0", "-f", "null", "-"], {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 0, r.stderr.slice(-600));
    assert.equal(r.stderr.trim(), "", "VP8 decodes without errors");
    assert.ok(Math.abs(parseMediaPlaylist(playlist).duration - 8) <= 2.5, playlist);
  } finally {
    await pub.stop();
    await ts.close();
  }
});
