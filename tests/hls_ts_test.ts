/**
 * Live HLS (MPEG-TS variant) with ffmpeg/ffprobe: decoding, codecs, keyframe-led segments, the
 * sliding window, cache headers and error statuses.
 */
import assert from "node:assert/strict";
import { parseMediaPlaylist } from "../src/formats/hls/mod.ts";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  ffprobeJson,
  firstFrame,
  getBytes,
  getText,
  H264B,
  H264H,
  PCMA,
  rawStatus,
  requireTool,
  startTestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";

/** 2 s segments (`<http><hlsduration>`), 3 in the live window (the default `<hlssegment>`). */
const HLS = { http: { hlsduration: 2 } };

requireTool("ffmpeg");
requireTool("ffprobe");

Deno.test("hls ts: ffmpeg publishes over RTMP; ffmpeg decodes ≥ 150 frames, H264 High 640x360 + AAC, keyframe-led segments, sliding playlist", async () => {
  const ts = await startTestServer(HLS);
  const { hub, root: dir } = ts;
  const base = ts.http("");
  const url = `${base}/live/cam.m3u8`;
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/cam"),
    format: "flv",
    seconds: 16,
    video: H264H,
    audio: AAC,
  });
  try {
    await waitLive(hub, "live/cam");
    const first = await getText(url); // held until the first segment is complete
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get("content-type"), "application/vnd.apple.mpegurl");
    assert.equal(first.headers.get("cache-control"), "max-age=1");
    const p0 = parseMediaPlaylist(first.text);
    assert.equal(p0.version, 3);
    assert.ok(p0.segments.length >= 1);

    const [probe, decoded] = await Promise.all([
      ffprobeJson(url, { timeoutMs: 15_000, inputArgs: ["-rw_timeout", "5000000"] }),
      decodedFrames(url, { frames: 150, timeoutMs: 30_000, inputArgs: ["-rw_timeout", "5000000"] }),
    ]);
    const v = probe.streams.find((s) => s.codec_type === "video")!;
    const a = probe.streams.find((s) => s.codec_type === "audio")!;
    assert.deepEqual([v.codec_name, v.profile, v.width, v.height], ["h264", "High", 640, 360]);
    assert.deepEqual([a.codec_name, a.sample_rate, a.channels], ["aac", "44100", 2]);
    assert.ok(decoded.frames >= 150, `decoded ${decoded.frames}: ${decoded.stderr}`);

    // The window slides: later playlists start at a higher media sequence, old segments leave.
    const later = await waitFor(
      async () => {
        const p = parseMediaPlaylist((await getText(url)).text);
        return p.mediaSequence > p0.mediaSequence + 1 ? p : undefined;
      },
      15_000,
      "the playlist to slide",
    );
    // The segment that just left the window is still served from the cache (hlslivecache 2).
    const left = later.segments[0].uri.replace(/\d+\.ts$/, `${later.mediaSequence - 1}.ts`);
    assert.ok(!later.segments.some((s) => s.uri === left));
    const old = await getBytes(`${base}/live/${left}`);
    assert.equal(old.status, 200, left);
    assert.equal(later.segments.length, 3);
    assert.ok(!later.segments.some((s) => s.uri === p0.segments[0].uri));
    for (const s of later.segments) assert.ok(s.duration > 1.9 && s.duration < 2.1, `duration ${s.duration}`);

    // Every segment starts with a keyframe, and is cacheable for long.
    for (const s of later.segments) {
      const seg = await getBytes(`${base}/live/${s.uri}`);
      assert.equal(seg.status, 200);
      assert.equal(seg.headers.get("content-type"), "video/mp2t");
      assert.match(seg.headers.get("cache-control") ?? "", /immutable/);
      await Deno.writeFile(`${dir}/seg.ts`, seg.bytes);
      assert.equal(await firstFrame(`${dir}/seg.ts`), "frame,1,I", s.uri);
    }

    await pub.stop();
    await waitFor(() => !hub.get("live/cam"), 10_000, "the publisher to leave");
    // After the publisher leaves, players get the final playlist during the grace period.
    const end = parseMediaPlaylist((await getText(url)).text);
    assert.equal(end.endList, true);
  } finally {
    await pub.stop();
    await ts.close();
  }
});

Deno.test("hls, dash, rec: 404 quickly for unknown streams and segments, 400/404 for traversal, 403 for other apps", async () => {
  const ts = await startTestServer(HLS);
  const base = ts.http("");
  try {
    const cases: [string, number][] = [
      ["/live/none.m3u8", 404],
      ["/live/none.mpd", 404],
      ["/live/none/dash/v1.m4s", 404],
      ["/live/none/1.ts", 404],
      ["/live/none/init.mp4", 404],
      ["/sky/cam.m3u8", 403],
      ["/live/..%2f..%2fetc%2fpasswd.m3u8", 400],
      ["/live/.hidden.m3u8", 400],
    ];
    for (const [path, status] of cases) {
      const t0 = Date.now();
      const res = await fetch(base + path);
      await res.body?.cancel();
      assert.equal(res.status, status, path);
      assert.ok(Date.now() - t0 < 1000, `${path} took ${Date.now() - t0} ms`);
    }
    for (
      const target of [
        "/live/../../etc/passwd.m3u8",
        "/live/cam/../../../etc/passwd",
        "/live/%2e%2e/x.m3u8",
        "/live/..%2f..%2fetc%2fpasswd.mpd",
        "/rec/../../etc/passwd",
        "/rec/..%2f..%2fetc",
        "/rec/cam/2024-01-01/..%2f..%2f..%2fetc%2fpasswd",
        "/rec/cam/2024-01-01/10-00-00/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/rec/cam?day=2024-01-01&time=..%2f..%2fx",
        "/api/rec?vhost=..%2f..",
      ]
    ) {
      const st = await rawStatus(ts.port("http"), target);
      assert.ok(st === 400 || st === 404, `${target} → ${st}`);
    }
  } finally {
    await ts.close();
  }
});

Deno.test("hls + dash: H264 + G.711 over RTMP goes out video only, with a log line saying so", async () => {
  const ts = await startTestServer(HLS);
  const { hub } = ts;
  const base = ts.http("");
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/alaw"),
    format: "flv",
    seconds: 10,
    video: H264B,
    audio: PCMA,
    size: "320x180",
  });
  try {
    await waitLive(hub, "live/alaw");
    for (const url of [`${base}/live/alaw.m3u8`, `${base}/live/alaw.mpd`]) {
      const probe = await ffprobeJson(url, { timeoutMs: 20_000, inputArgs: ["-rw_timeout", "5000000"] });
      assert.deepEqual(probe.streams.map((s) => s.codec_name), ["h264"], url);
    }
    const lines = ts.lines.filter((l) => l.includes("audio left out"));
    assert.equal(lines.length, 2, lines.join("\n")); // one per output format (HLS, DASH)
    assert.match(lines[0], /codec=pcma/);
  } finally {
    await pub.stop();
    await ts.close();
  }
});
