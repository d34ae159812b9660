/**
 * hls.js (TS and LL-HLS fMP4) and dash.js in headless Chromium (playwright-core, system chromium):
 * playback advances at 640 px wide, with ffmpeg publishing over RTMP. The LL-HLS latency is
 * measured in two parts: capture → server arrival (ffmpeg -re timestamps against the wall clock)
 * and server arrival (EXT-X-PROGRAM-DATE-TIME) → what hls.js shows (hls.playingDate). The player
 * pages and libraries are static files of the server under test.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import {
  AAC,
  CHROMIUM_ARGS,
  ffmpegPublish,
  H264B,
  npmFile,
  requireTool,
  startTestServer,
  waitLive,
} from "./support/mod.ts";

requireTool("chromium");
requireTool("ffmpeg");

const PAGE = (lib: string, setup: string) =>
  `<!doctype html><html><body>
<video id="v" muted autoplay playsinline width="640"></video>
<script src="/${lib}"></script>
<script>
const v = document.getElementById("v");
window.errors = [];
${setup}
</script></body></html>`;

const HLS_PAGE = (src: string, lowLatency: boolean) =>
  PAGE(
    "hls.js",
    // A low-latency player may play up to 1.5× to get back to its target latency after a stall.
    `const hls = new Hls({ lowLatencyMode: ${lowLatency}, maxLiveSyncPlaybackRate: ${lowLatency ? 1.5 : 1} });
hls.on(Hls.Events.ERROR, (_e, d) => { if (d.fatal) window.errors.push(d.type + ":" + d.details); });
hls.loadSource(${JSON.stringify(src)});
hls.attachMedia(v);
v.play().catch(() => {});
window.state = () => ({ t: v.currentTime, w: v.videoWidth, date: hls.playingDate ? hls.playingDate.getTime() : 0, now: Date.now() });`,
  );

const DASH_PAGE = (src: string) =>
  PAGE(
    "dash.js",
    `const p = dashjs.MediaPlayer().create();
p.updateSettings({ debug: { logLevel: 3 } });
p.on("error", (e) => window.errors.push(JSON.stringify(e.error || e)));
// autoplay: dash.js starts playback itself (an early v.play() leaves its manifest updater paused).
p.initialize(v, ${JSON.stringify(src)}, true);
window.state = () => ({ t: v.currentTime, w: v.videoWidth, date: 0, now: Date.now() });`,
  );

interface State {
  t: number;
  w: number;
  date: number;
  now: number;
}

Deno.test("browser: hls.js (TS, LL-HLS fMP4) and dash.js play in Chromium; LL-HLS latency < 3 s", async () => {
  const [hlsJs, dashJs] = await Promise.all([
    npmFile("hls.js", "1.7.4", "dist/hls.min.js"),
    npmFile("dashjs", "4.7.4", "dist/dash.all.min.js"),
  ]);
  // The pages and player libraries are static files of the server itself (same origin, no CORS).
  const ts = await startTestServer({ http: { hlsduration: 2 } }, {
    files: {
      "html/hls.js": await Deno.readTextFile(hlsJs),
      "html/dash.js": await Deno.readTextFile(dashJs),
      "html/hls.html": HLS_PAGE("/live/cam.m3u8", false),
      "html/ll.html": HLS_PAGE("/live/cam.m3u8?fmp4&ll", true),
      "html/dash.html": DASH_PAGE("/live/cam.mpd"),
    },
  });
  const { hub } = ts;
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  // Low-latency encoder settings (baseline, zerolatency), as an LL-HLS publisher would use.
  const t0 = Date.now();
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/cam"),
    format: "flv",
    seconds: 40,
    video: H264B,
    audio: AAC,
  });
  try {
    const stream = await waitLive(hub, "live/cam");
    // Capture → server arrival: ffmpeg -re reads frame `dts` at about t0 + dts (an upper bound:
    // ffmpeg's own start-up time counts too).
    let ingest = Infinity;
    stream.addReader((frames) => {
      for (const f of frames) {
        if (f.track.kind === "video") {
          ingest = Math.min(ingest, Date.now() - t0 - (f.dts * 1000) / f.track.clockRate);
        }
      }
    });
    const run = async (path: string) => {
      const page = await browser.newPage();
      const logs: string[] = [];
      page.on("console", (m) => logs.push(m.text().slice(0, 200)));
      page.on("request", (r) => logs.push(`${Date.now() % 100000} REQ ${r.url()}`));
      page.on("requestfinished", (r) => logs.push(`${Date.now() % 100000} DONE ${r.url()}`));
      await page.goto(ts.http(path));
      const sample = () => page.evaluate(() => (globalThis as unknown as { state(): State }).state());
      const end = Date.now() + 25_000;
      let first: State | undefined;
      let last = await sample();
      while (Date.now() < end) {
        last = await sample();
        if (last.t > 0 && !first) first = last;
        if (first && last.t - first.t >= 3 && last.w > 0) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const errors = await page.evaluate(() => (globalThis as unknown as { errors: string[] }).errors);
      assert.ok(
        first && last.t - first.t >= 3,
        `${path}: currentTime did not advance (${last.t}); ${errors.join("; ")}\n${
          logs.slice(-40).join("\n")
        }`,
      );
      assert.equal(last.w, 640, path);
      // Latency: wall clock now versus the arrival time of what is on screen, as the median of 2 s
      // of samples. A player that stalled at start (a loaded machine) gets up to 10 s to settle.
      let best: number | undefined;
      if (path === "/ll.html") {
        const lat: number[] = [];
        const settle = Date.now() + 10_000;
        while (Date.now() < settle && !(best !== undefined && best < 3000)) {
          const s = await sample();
          if (s.date > 0) lat.push(s.now - s.date);
          if (lat.length >= 8) {
            const median = [...lat.slice(-8)].sort((a, b) => a - b)[4];
            best = Math.min(best ?? Infinity, median);
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      await page.close();
      return best;
    };
    // The LL-HLS page plays alone, so the other two players do not compete with it for the CPU.
    const latency = await run("/ll.html");
    await Promise.all([run("/hls.html"), run("/dash.html")]);
    console.log(
      `LL-HLS latency: server arrival → hls.js playback ${latency} ms; capture → server arrival ≤ ${
        Math.round(ingest)
      } ms; glass to glass ≤ ${Math.round((latency ?? NaN) + ingest)} ms`,
    );
    // Server arrival → screen is what the server and LL-HLS decide: it must fit the 3 s budget. The
    // capture → arrival bound also holds ffmpeg's own start-up, which a loaded machine stretches
    // (other test files run beside this one), so it has its own, looser bound.
    assert.ok(
      latency !== undefined && latency < 3000,
      `LL-HLS latency ${latency} ms (+ ingest ${ingest} ms)`,
    );
    assert.ok(ingest < 1500, `capture → server arrival ${ingest} ms`);
  } finally {
    await pub.stop();
    await browser.close();
    await ts.close();
  }
});
