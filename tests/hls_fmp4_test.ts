/**
 * Live HLS fMP4 (plain and LL-HLS) and DASH with ffmpeg/ffprobe: decoding, codecs, init + segment
 * concatenation, blocking playlist reload; HEVC goes out as fMP4 (hvc1) on HLS and DASH.
 */
import assert from "node:assert/strict";
import { parseMediaPlaylist } from "../src/formats/hls/mod.ts";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  ffprobeJson,
  getBytes,
  getText,
  H264H,
  H265,
  makeTs,
  requireTool,
  run,
  startTestServer,
  waitLive,
} from "./support/mod.ts";
import { rtmpPublishTs } from "./support/rtmp_media.ts";

/** 2 s segments for HLS (`<http><hlsduration>`) and DASH (the same target). */
const HLS = { http: { hlsduration: 2 } };

requireTool("ffmpeg");
requireTool("ffprobe");

const RW = ["-rw_timeout", "5000000"];

async function probeCodecs(url: string) {
  const probe = await ffprobeJson(url, { timeoutMs: 20_000, inputArgs: RW });
  const v = probe.streams.find((s) => s.codec_type === "video");
  const a = probe.streams.find((s) => s.codec_type === "audio");
  return { v, a };
}

Deno.test("hls fmp4 + LL-HLS + dash: H264 High + AAC decode in ffmpeg, init+segment decodes, blocking reload waits", async () => {
  const ts = await startTestServer(HLS);
  const { hub, root: dir } = ts;
  const base = ts.http("");
  const hls = `${base}/live/cam.m3u8?fmp4`;
  const mpd = `${base}/live/cam.mpd`;
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/cam"),
    format: "flv",
    seconds: 20,
    video: H264H,
    audio: AAC,
  });
  try {
    await waitLive(hub, "live/cam");
    const first = await getText(hls);
    assert.equal(first.status, 200, first.text);
    const p0 = parseMediaPlaylist(first.text);
    assert.equal(p0.version, 7);
    assert.match(p0.map ?? "", /^cam\/init-\d+\.mp4$/);

    const checks = [
      (async () => {
        const { v, a } = await probeCodecs(hls);
        assert.deepEqual([v?.codec_name, v?.profile, v?.width, v?.height], ["h264", "High", 640, 360]);
        assert.deepEqual([a?.codec_name, a?.sample_rate, a?.channels], ["aac", "44100", 2]);
        const d = await decodedFrames(hls, { frames: 150, timeoutMs: 30_000, inputArgs: RW });
        assert.ok(d.frames >= 150, `hls fmp4 decoded ${d.frames}: ${d.stderr}`);
      })(),
      (async () => {
        const res = await getText(mpd);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get("content-type"), "application/dash+xml");
        const { v, a } = await probeCodecs(mpd);
        assert.deepEqual([v?.codec_name, v?.width, v?.height], ["h264", 640, 360]);
        assert.deepEqual([a?.codec_name, a?.sample_rate], ["aac", "44100"]);
        const d = await decodedFrames(mpd, { frames: 150, timeoutMs: 30_000, inputArgs: RW });
        assert.ok(d.frames >= 150, `dash decoded ${d.frames}: ${d.stderr}`);
      })(),
      (async () => {
        // init.mp4 + one segment is a playable file.
        const init = await getBytes(`${base}/live/${p0.map}`);
        const seg = await getBytes(`${base}/live/${p0.segments[0].uri}`);
        assert.equal(seg.headers.get("content-type"), "video/iso.segment");
        const file = `${dir}/concat.mp4`;
        await Deno.writeFile(file, new Uint8Array([...init.bytes, ...seg.bytes]));
        const r = await run("ffprobe", [
          "-v",
          "error",
          "-count_frames",
          "-select_streams",
          "v:0",
          "-show_entries",
          "stream=codec_name,nb_read_frames",
          "-of",
          "csv=p=0",
          file,
        ], { timeoutMs: 10_000 });
        const [codec, n] = r.stdout.trim().split(",");
        assert.equal(codec, "h264");
        assert.ok(Number(n) >= 55, `init+segment decoded ${n} frames`);
      })(),
      (async () => {
        // LL-HLS: ask for the part after the newest one; the request blocks until it exists.
        const ll = parseMediaPlaylist((await getText(`${hls}&ll`)).text);
        assert.equal(ll.version, 9);
        // The server's part target (334 ms), rounded up as EXT-X-PART-INF shows it.
        assert.ok(
          ll.lowLatency!.partTarget > 0.2 && ll.lowLatency!.partTarget <= 0.5,
          `PART-TARGET ${ll.lowLatency?.partTarget}`,
        );
        assert.equal(ll.lowLatency?.canBlockReload, true);
        assert.ok(ll.lowLatency?.preloadHint);
        const msn = ll.mediaSequence + ll.segments.length;
        const part = ll.lowLatency!.pendingParts.length;
        const t0 = Date.now();
        const blocked = await getText(`${hls}&ll&_HLS_msn=${msn}&_HLS_part=${part}`);
        const waited = Date.now() - t0;
        assert.equal(blocked.status, 200, blocked.text);
        const got = parseMediaPlaylist(blocked.text);
        const hasIt = got.mediaSequence + got.segments.length > msn ||
          got.lowLatency!.pendingParts.length > part;
        assert.ok(hasIt, blocked.text);
        assert.ok(waited > 20, `a blocking reload for a future part answered in ${waited} ms`);
        assert.match(blocked.headers.get("cache-control") ?? "", /max-age=\d+/);
        // The preload-hinted part is served as soon as it exists.
        const hint = await getBytes(`${base}/live/${got.lowLatency!.preloadHint}`);
        assert.equal(hint.status, 200);
        // Too far ahead: 400 at once.
        const far = await getText(`${hls}&ll&_HLS_msn=${msn + 10}&_HLS_part=0`);
        assert.equal(far.status, 400);
      })(),
    ];
    await Promise.all(checks);
  } finally {
    await pub.stop();
    await ts.close();
  }
});

Deno.test("hevc: our RtmpClient publishes Enhanced RTMP H265 + AAC; HLS fMP4 (hvc1) and DASH decode in ffmpeg", async () => {
  const server = await startTestServer(HLS);
  const { hub } = server;
  const base = server.http("");
  const tsFile = await makeTs(`${server.root}/src.ts`, 14, [...H265, ...AAC]);
  const pub = await rtmpPublishTs(server.rtmp("/live/hevc"), tsFile);
  try {
    const live = await waitLive(hub, "live/hevc");
    assert.equal(live.videoTrack?.codec, "h265");
    const pl = await getText(`${base}/live/hevc.m3u8`);
    assert.equal(pl.status, 200, pl.text);
    const map = parseMediaPlaylist(pl.text).map;
    assert.match(map ?? "", /^hevc\/init-\d+\.mp4$/, "HEVC selects the fMP4 variant");
    await Promise.all(
      [`${base}/live/hevc.m3u8`, `${base}/live/hevc.mpd`].map(async (url) => {
        const { v, a } = await probeCodecs(url);
        assert.deepEqual([v?.codec_name, v?.width, v?.height], ["hevc", 640, 360], url);
        assert.equal(a?.codec_name, "aac", url);
        const d = await decodedFrames(url, { frames: 100, timeoutMs: 30_000, inputArgs: RW });
        assert.ok(d.frames >= 100, `${url} decoded ${d.frames}: ${d.stderr}`);
      }),
    );
    const init = await getBytes(`${base}/live/${map}`);
    assert.ok(new TextDecoder().decode(init.bytes).includes("hvc1"));
  } finally {
    pub.stop();
    await pub.done;
    await server.close();
  }
});
