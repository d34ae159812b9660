/**
 * The built-in H5 player (web/, bundled into dist/web by `deno task test`) in headless Chromium at a
 * phone's size (390×844): a stream published with ffmpeg is listed with its codecs and viewers, and
 * plays over HTTP-FLV, WS-FLV, HLS and DASH from its protocol tabs; the share link's
 * `/player?app=&name=&proto=` page plays alone; a VOD file is listed and plays. Screenshots of each
 * page go to a temporary folder (named in the log) for a look, never into the repo.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import {
  AAC,
  CHROMIUM_ARGS,
  ffmpegPublish,
  H264B,
  requireTool,
  run,
  startTestServer,
  waitLive,
} from "./support/mod.ts";

requireTool("chromium");
requireTool("ffmpeg");

interface Shown {
  t: number;
  w: number;
}

/** Waits until the page's video has advanced `seconds` of playback; returns what it last showed. */
async function playsFor(page: Page, seconds: number, timeoutMs: number, what: string): Promise<Shown> {
  const sample = () =>
    page.evaluate(() => {
      // Runs in the page: the test's own type library has no DOM.
      const doc = (globalThis as unknown as { document: { getElementById(id: string): unknown } }).document;
      const v = doc.getElementById("video") as { currentTime: number; videoWidth: number };
      return { t: v.currentTime, w: v.videoWidth };
    });
  let first: Shown | undefined;
  let last = await sample();
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    last = await sample();
    if (last.t > 0 && !first) first = last;
    if (first && last.t - first.t >= seconds && last.w > 0) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  const status = await page.locator("#watch-status").textContent();
  throw new Error(
    `${what}: playback did not advance ${seconds} s (currentTime ${last.t}; status "${status}")`,
  );
}

Deno.test("web player: lists a live stream and plays it over HTTP-FLV, WS-FLV, HLS and DASH; /player and VOD play", async () => {
  const shots = await Deno.makeTempDir({ prefix: "estuary-web-shots-" });
  const ts = await startTestServer({ http: { hlsduration: 1 } });
  // A 4-second MP4 for the VOD list.
  const mp4 = await run("ffmpeg", [
    "-nostdin",
    "-loglevel",
    "error",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x240:rate=25",
    "-t",
    "4",
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    `${ts.root}/vod/clip.mp4`,
  ], { timeoutMs: 30_000 });
  assert.equal(mp4.code, 0, mp4.stderr);
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/cam"),
    format: "flv",
    seconds: 60,
    video: H264B,
    audio: AAC,
  });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      ...CHROMIUM_ARGS,
      "--allow-loopback-in-peer-connection",
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ],
  });
  try {
    await waitLive(ts.hub, "live/cam");
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const t0 = performance.now();
    await page.goto(ts.http("/"));
    const row = page.locator('tr[data-key="live/cam"]');
    await row.waitFor({ timeout: 10_000 });
    const listedMs = performance.now() - t0;
    const cells = await row.locator("td").allTextContents();
    assert.equal(cells[0], "live/cam");
    assert.match(cells[1], /^H264 640×360 30 fps$/);
    assert.match(cells[2], /^AAC 44.1 kHz$/);
    await page.screenshot({ path: `${shots}/index.png`, fullPage: true });

    await row.click();
    await playsFor(page, 2, 20_000, "HTTP-FLV (the default)");
    const url = await page.locator("#urls code").allTextContents();
    assert.ok(url.some((u) => u.startsWith("rtmp://") && u.endsWith("/live/cam")), url.join(" "));
    const viewers = await waitForViewers(ts.http("/api/streams"), 1);
    assert.ok(viewers.count["http-flv"] >= 1, JSON.stringify(viewers));
    await page.screenshot({ path: `${shots}/watch-flv.png`, fullPage: true });

    for (
      const [kind, label] of [["ws-flv", "WS-FLV"], ["hls", "HLS"], ["dash", "DASH"], [
        "webrtc",
        "WebRTC",
      ]] as const
    ) {
      await page.locator(`#protos button[data-kind="${kind}"]`).click();
      assert.equal(
        await page.locator(`#protos button[data-kind="${kind}"]`).getAttribute("aria-selected"),
        "true",
      );
      const shown = await playsFor(page, 2, 30_000, label);
      assert.equal(shown.w, 640, label);
    }
    const share = await page.locator("#share").inputValue();
    assert.equal(new URL(share).pathname, "/player");
    assert.equal(new URL(share).searchParams.get("proto"), "webrtc");

    // The share link's page, alone, over WS-FLV.
    const solo = await browser.newPage({ viewport: { width: 390, height: 844 } });
    solo.on("pageerror", (e) => errors.push(e.message));
    await solo.goto(ts.http("/player?app=live&name=cam&proto=ws-flv"));
    await playsFor(solo, 2, 20_000, "/player over WS-FLV");
    await solo.screenshot({ path: `${shots}/player.png` });
    await solo.close();

    // The WHIP page: the browser's (fake) camera and microphone published as live/web, played back here.
    const pubPage = await browser.newPage({ viewport: { width: 390, height: 844 } });
    pubPage.on("pageerror", (e) => errors.push(e.message));
    await pubPage.goto(ts.http("/publish.html"));
    await pubPage.fill("#publish-name", "web");
    await pubPage.click("#publish-start");
    // The WHIP answer waits on ICE gathering and werift's DTLS set-up (and its first load): slow on a
    // machine where another browser test runs beside this one (CI once passed 45 s).
    await pubPage.locator("#publish-watch").waitFor({ timeout: 90_000 }).catch(async (err) => {
      throw new Error(
        `WHIP publish: ${await pubPage.locator("#watch-status").textContent()}: ${err.message}`,
      );
    });
    await waitLive(ts.hub, "live/web", { audio: false });
    const viewer = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await viewer.goto(ts.http("/player?app=live&name=web&proto=webrtc"));
    await playsFor(viewer, 2, 20_000, "the WHIP stream over WebRTC");
    await pubPage.screenshot({ path: `${shots}/publish.png` });
    await pubPage.click("#publish-stop");
    await viewer.close();
    await pubPage.close();

    // VOD: the file is listed and plays.
    const clip = page.locator('#vod-list a[data-file="clip.mp4"]');
    await clip.waitFor({ timeout: 5000 });
    await clip.click();
    await playsFor(page, 1, 15_000, "VOD clip.mp4");
    await page.screenshot({ path: `${shots}/vod.png`, fullPage: true });
    assert.deepEqual(errors, []);
    console.log(`web player: listed in ${Math.round(listedMs)} ms; screenshots in ${shots}`);
  } finally {
    await browser.close();
    await pub.stop();
    await ts.close();
  }
});

async function waitForViewers(
  url: string,
  n: number,
): Promise<{ count: Record<string, number>; total: number }> {
  const end = Date.now() + 5000;
  for (;;) {
    const body = await (await fetch(url)).json() as {
      streams: { players: { count: Record<string, number>; total: number } }[];
    };
    const p = body.streams[0]?.players;
    if ((p && p.total >= n) || Date.now() > end) return p ?? { count: {}, total: 0 };
    await new Promise((r) => setTimeout(r, 200));
  }
}
