/**
 * The admin portal (/admin/) in headless Chromium at a phone's size: a wrong password is refused
 * on the page, the right one opens the dashboard whose charts fill from live data, the streams page
 * lists an ffmpeg publisher with a preview that plays, Kick disconnects it, a user is added, the
 * log tail shows the kick, the system page shows the machine, and logout returns to the login.
 * Screenshots go to a temporary folder (named in the output), never into the repo.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import {
  CHROMIUM_ARGS,
  ffmpegPublish,
  H264B,
  requireTool,
  run,
  spawnBackground,
  startTestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";

requireTool("chromium");
requireTool("ffmpeg");

/** Evaluates in the page (the test's own type library has no DOM). */
function videoTime(page: Page): Promise<number> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { getElementById(id: string): unknown } }).document;
    return (doc.getElementById("video") as { currentTime: number }).currentTime;
  });
}

Deno.test("admin portal: login, live dashboard, sessions, streams with preview and kick, files, users, logs, system, logout", async () => {
  const shots = await Deno.makeTempDir({ prefix: "estuary-admin-shots-" });
  // A pull whose source is not there: the Policy page shows it retrying, with the reason.
  const policy =
    `<policy><pulls><pull name="live/far">rtmp://127.0.0.1:9/live/nothing</pull></pulls></policy>`;
  const ts = await startTestServer({
    admin: { password: "portal-pass-1" },
    cluster: { reconnect: 1 },
    rtmp: { fwdtimeout: 1000 },
  }, { policy });
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/adm"),
    format: "flv",
    seconds: 60,
    video: H264B,
    audio: [],
  });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    await waitLive(ts.hub, "live/adm", { audio: false });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // Confirmations are accepted; a password prompt gets eve's new password.
    page.on("dialog", (d) => d.type() === "prompt" ? d.accept("viewer-pass-2") : d.accept());
    const t0 = performance.now();
    await page.goto(ts.http("/admin/"));
    await page.locator("#login").waitFor({ state: "visible", timeout: 5000 });
    const loadMs = performance.now() - t0;

    await page.fill("#login-pwd", "wrong-password");
    await page.click("#login button[type=submit]");
    await page.locator("#login-error", { hasText: "wrong user name or password" }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${shots}/login.png` });

    await page.fill("#login-pwd", "portal-pass-1");
    await page.click("#login button[type=submit]");
    await page.locator("#dashboard").waitFor({ state: "visible", timeout: 5000 });
    assert.match(await page.locator("#me").textContent() ?? "", /admin, admin/);
    // Two polls 2 s apart give the first rates; wait for three points.
    await page.waitForFunction(
      () => {
        const doc = (globalThis as unknown as {
          document: { getElementById(id: string): { dataset: { points?: string } } };
        })
          .document;
        return ["chart-cpu", "chart-bw", "chart-mem", "chart-conns"].every((id) =>
          Number(doc.getElementById(id).dataset.points ?? 0) >= 3
        );
      },
      undefined,
      { timeout: 15_000 },
    );
    const cards = await page.locator("#cards .card").allTextContents();
    assert.ok(cards.some((c) => /Streams\s*1/.test(c)), cards.join(" | "));
    assert.ok(await page.locator("#chart-bw polyline").count() >= 2, "in and out");
    await page.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });

    // Policy: what runs now, refreshed while the page is open.
    await page.click('#nav a[href="#policy"]');
    const pullRow = page.locator('#cluster-rows tr[data-stream="live/far"]');
    await pullRow.waitFor({ timeout: 5000 });
    await page.locator('#cluster-rows tr[data-stream="live/far"]', { hasText: /retrying.*restarts/ }).waitFor(
      {
        timeout: 10_000,
      },
    );
    assert.match(await pullRow.textContent() ?? "", /pull.*rtmp:\/\/127\.0\.0\.1:9\/live\/nothing.*retrying/);
    await page.screenshot({ path: `${shots}/policy.png`, fullPage: true });

    // Sessions: the ffmpeg publisher is listed.
    await page.click('#nav a[href="#sessions"]');
    const pubRow = page.locator("#sessions-rows tr", { hasText: "publisher" });
    await pubRow.waitFor({ timeout: 5000 });
    assert.match(await pubRow.textContent() ?? "", /rtmp.*publisher.*live\/adm/);
    await page.screenshot({ path: `${shots}/sessions.png`, fullPage: true });

    await page.click('#nav a[href="#streams"]');
    const row = page.locator('#streams-rows tr[data-key="live/adm"]');
    await row.waitFor({ timeout: 5000 });
    await row.locator("button", { hasText: "Preview" }).click();
    const start = Date.now();
    let first = -1, t = 0;
    while (Date.now() - start < 20_000) {
      t = await videoTime(page);
      if (t > 0 && first < 0) first = t;
      if (first >= 0 && t - first >= 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(first >= 0 && t - first >= 2, `the preview plays (currentTime ${t})`);
    // The previewed stream's bitrate chart fills (one point per 3 s refresh).
    await page.waitForFunction(
      () => {
        const doc = (globalThis as unknown as {
          document: { getElementById(id: string): { dataset: { points?: string } } };
        })
          .document;
        return Number(doc.getElementById("chart-rate").dataset.points ?? 0) >= 2;
      },
      undefined,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: `${shots}/streams.png`, fullPage: true });
    assert.ok(await page.locator("#preview-urls li").count() >= 3, "the stream's URLs are listed to copy");
    // Record on demand from the row, then stop: the recording starts and ends on the server.
    await row.locator('button[data-action="record"]', { hasText: "Record" }).click();
    await row.locator('button[data-action="record"]', { hasText: "Stop recording" }).waitFor({
      timeout: 5000,
    });
    await new Promise((r) => setTimeout(r, 2500));
    await row.locator('button[data-action="record"]').click();
    await row.locator('button[data-action="record"]', { hasText: /^Record$/ }).waitFor({ timeout: 10_000 });
    assert.ok(ts.lines.some((l) => l.includes("recording started on demand") && l.includes("live/adm")));
    assert.ok(ts.lines.some((l) => l.includes("recording stopped on demand") && l.includes("live/adm")));

    // Sessions: an ffmpeg HTTP-FLV player is listed; kick it from the page and it ends.
    const before = new Set(ts.hub.sessions.list().map((x) => x.id));
    const ffplayer = spawnBackground("ffmpeg", [
      "-nostdin",
      "-loglevel",
      "error",
      "-i",
      ts.http("/live/adm.flv"),
      "-f",
      "null",
      "-",
    ]);
    const isNew = () => ts.hub.sessions.list().find((x) => x.protocol === "http-flv" && !before.has(x.id));
    await waitFor(() => isNew() !== undefined, 10_000, "the ffmpeg player");
    const ffId = isNew()!.id;
    await page.click('#nav a[href="#sessions"]');
    const flvRow = page.locator(`#sessions-rows tr[data-id="${ffId}"]`);
    await flvRow.waitFor({ timeout: 5000 });
    await flvRow.locator('button[data-action="kick"]').click();
    await flvRow.waitFor({ state: "detached", timeout: 5000 });
    const ended = await Promise.race([
      ffplayer.exited.then(() => "exited"),
      new Promise((r) => setTimeout(() => r("running"), 10_000)),
    ]);
    assert.equal(ended, "exited", "the kicked ffmpeg player ended");
    await page.click('#nav a[href="#streams"]');
    await row.locator('button[data-action="kick"]').click();
    await row.waitFor({ state: "detached", timeout: 5000 });
    assert.equal(ts.hub.get("live/adm"), undefined);
    const exit = await Promise.race([
      pub.exited.then(() => "exited"),
      new Promise((r) => setTimeout(() => r("running"), 10_000)),
    ]);
    assert.equal(exit, "exited", "the ffmpeg publisher was disconnected");

    await page.click('#nav a[href="#users"]');
    await page.locator('#users-rows tr[data-user="admin"]').waitFor({ timeout: 5000 });
    await page.fill('#user-add input[name="name"]', "eve");
    await page.fill('#user-add input[name="password"]', "viewer-pass-1");
    await page.click('#user-add button[type="submit"]');
    await page.locator('#users-rows tr[data-user="eve"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('#users-rows tr[data-user="eve"] select').inputValue(), "viewer");
    await page.locator('#users-rows tr[data-user="eve"] button[data-action="password"]').click();
    await page.locator("#users-msg", { hasText: "password of eve changed" }).waitFor({ timeout: 5000 });
    const eveLogin = await fetch(ts.http("/admin/api/login"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "eve", pwd: "viewer-pass-2" }),
    });
    assert.equal((await eveLogin.json()).code, 0, "eve logs in with the password set in the portal");
    await page.screenshot({ path: `${shots}/users.png`, fullPage: true });

    // Files: upload a clip to VOD with progress, play it, delete it.
    const clip = `${shots}/clip.mp4`;
    const made = await run("ffmpeg", [
      "-nostdin",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=320x240:rate=25",
      "-t",
      "3",
      "-c:v",
      "libx264",
      "-pix_fmt",
      "yuv420p",
      "-movflags",
      "+faststart",
      clip,
    ], { timeoutMs: 30_000 });
    assert.equal(made.code, 0, made.stderr);
    await page.click('#nav a[href="#files"]');
    await page.setInputFiles('#upload input[type="file"]', clip);
    await page.click('#upload button[type="submit"]');
    const fileRow = page.locator('#files-rows tr[data-name="clip.mp4"]');
    await fileRow.waitFor({ timeout: 10_000 });
    assert.equal(await page.locator("#upload-progress").getAttribute("value"), "100");
    assert.equal((await Deno.stat(`${ts.root}/vod/clip.mp4`)).size, (await Deno.stat(clip)).size);
    await fileRow.locator('button[data-action="play"]').click();
    await page.waitForFunction(
      () => {
        const doc =
          (globalThis as unknown as { document: { getElementById(id: string): { currentTime: number } } })
            .document;
        return doc.getElementById("file-video").currentTime > 1;
      },
      undefined,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: `${shots}/files.png`, fullPage: true });
    await fileRow.locator('button[data-action="delete"]').click();
    await fileRow.waitFor({ state: "detached", timeout: 5000 });
    assert.equal(await Deno.stat(`${ts.root}/vod/clip.mp4`).catch(() => null), null, "deleted on disk");

    await page.click('#nav a[href="#logs"]');
    await page.locator("#log-lines-box", { hasText: "kick publisher" }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${shots}/logs.png` });

    await page.click('#nav a[href="#system"]');
    await page.locator("#sys", { hasText: "CPUs" }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${shots}/system.png`, fullPage: true });

    await page.click("#logout");
    await page.locator("#login").waitFor({ state: "visible", timeout: 5000 });
    assert.deepEqual(errors, []);
    console.log(`admin portal: login page in ${Math.round(loadMs)} ms; screenshots in ${shots}`);
  } finally {
    await browser.close();
    await pub.stop();
    await ts.close();
  }
});
