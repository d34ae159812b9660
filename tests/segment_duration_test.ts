/**
 * `<http><hlsduration>` shapes the live segments of the real server: HLS segments last hlsduration,
 * and DASH segments too, capped at a third of `<dashduration>` (the MPD's time-shift window). A
 * 1 s GOP source from ffmpeg over RTMP; two servers side by side (hlsduration 2 and 4).
 */
import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import { parseMediaPlaylist } from "../src/formats/hls/mod.ts";
import {
  AAC,
  type Background,
  ffmpegPublish,
  H264B,
  requireTool,
  startTestServer,
  type TestServer,
  waitFor,
} from "./support/mod.ts";

requireTool("ffmpeg");

interface Durations {
  targetDuration: number;
  hls: number[];
  dash: number[];
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => n === "S" });

/** Durations (s) of the video timeline of a live MPD: every `<S d r>` expanded. */
function dashVideoDurations(text: string): number[] {
  const mpd = xml.parse(text).MPD;
  assert.equal(mpd.type, "dynamic");
  const sets = [mpd.Period.AdaptationSet].flat();
  const video = sets.find((s: { contentType: string }) => s.contentType === "video");
  const tpl = video.SegmentTemplate;
  const out: number[] = [];
  for (const s of tpl.SegmentTimeline.S as Record<string, string>[]) {
    for (let i = 0; i <= Number(s.r ?? 0); i++) out.push(Number(s.d) / Number(tpl.timescale));
  }
  return out;
}

async function text(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  const body = await res.text();
  assert.equal(res.status, 200, `${url}: ${body}`);
  return body;
}

/** Runs a real server with `hlsduration`, publishes to it, and reads the live segment durations. */
async function liveDurations(hlsduration: number): Promise<Durations> {
  let ts: TestServer | undefined;
  let pub: Background | undefined;
  try {
    ts = await startTestServer({ http: { hlsduration } });
    const base = ts.http("/live/cam");
    pub = ffmpegPublish({
      url: ts.rtmp("/live/cam"),
      format: "flv",
      seconds: 25,
      size: "320x180",
      video: H264B, // -g 30 at 30 fps: a keyframe every second
      audio: AAC,
    });
    const hub = ts.hub;
    await waitFor(() => hub.get("live/cam")?.isTracksReady, 10_000, "the RTMP publish");
    // Both first requests are held until their segmenter has complete segments.
    const [, firstMpd] = await Promise.all([text(`${base}.m3u8`), text(`${base}.mpd`)]);
    assert.ok(dashVideoDurations(firstMpd).length >= 2);
    const playlist = await waitFor(
      async () => {
        const p = parseMediaPlaylist(await text(`${base}.m3u8`));
        return p.segments.length >= 2 ? p : undefined;
      },
      20_000,
      "two complete HLS segments",
    );
    return {
      targetDuration: playlist.targetDuration,
      hls: playlist.segments.map((s) => s.duration),
      dash: dashVideoDurations(await text(`${base}.mpd`)),
    };
  } catch (err) {
    console.error(ts?.lines.slice(-40).join("\n"));
    throw err;
  } finally {
    await pub?.stop();
    await ts?.close();
  }
}

const near = (got: number[], want: number, what: string) => {
  assert.ok(got.length >= 2, `${what}: ${got.length} segments`);
  for (const d of got) {
    assert.ok(Math.abs(d - want) < 0.1, `${what}: a segment of ${d} s, want ${want} s (${got})`);
  }
};

Deno.test("segment duration: <hlsduration> 2 vs 4 shapes live HLS and DASH segments (DASH capped at dashduration/3)", async () => {
  const [two, four] = await Promise.all([liveDurations(2), liveDurations(4)]);
  assert.equal(two.targetDuration, 2);
  near(two.hls, 2, "HLS, hlsduration 2");
  near(two.dash, 2, "DASH, hlsduration 2");
  assert.equal(four.targetDuration, 4);
  near(four.hls, 4, "HLS, hlsduration 4");
  // dashduration defaults to 10 s: a segment of at most 10/3 s, whole seconds → 3 s.
  near(four.dash, 3, "DASH, hlsduration 4, dashduration 10");
});
