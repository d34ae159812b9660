/**
 * Config editing from the admin portal, on the real program (main.ts in a child process with a
 * config file): Chromium changes an element, reviews the difference, saves; the file keeps its
 * comments, the previous one is kept as .bak, the change is live at once and an ffmpeg HTTP-FLV
 * player plays through it. An invalid value is refused with the element's name and changes nothing.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import {
  CHROMIUM_ARGS,
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  startEstuary,
} from "./support/mod.ts";

requireTool("chromium");
requireTool("ffmpeg");

Deno.test("admin config: edit in the portal, review, save: file kept with comments and .bak, live at once, player unaffected", async () => {
  const root = await Deno.makeTempDir({ prefix: "estuary-cfg-" });
  await Deno.mkdir(`${root}/conf`);
  const file = `${root}/conf/config.xml`;
  await Deno.copyFile(new URL("../conf/config.xml", import.meta.url), file);
  const es = await startEstuary({
    root,
    args: ["--config", file],
    env: {
      ESTUARY_ADMIN_PASSWORD: "cfg-admin-pass",
      ESTUARY_SRT_ENABLE: "false",
      ESTUARY_RTSP_ENABLE: "false",
    },
  });
  const pub = ffmpegPublish({
    url: es.rtmp("/live/cfg"),
    format: "flv",
    seconds: 40,
    video: H264B,
    audio: [],
  });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    await new Promise((r) => setTimeout(r, 2500));
    // 12 s of frames: the player must play through the save.
    const player = decodedFrames(es.http("/live/cfg.flv"), { frames: 360, timeoutMs: 30_000 });
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(es.http("/admin/#config"));
    await page.fill("#login-pwd", "cfg-admin-pass");
    await page.click("#login button[type=submit]");
    const input = page.locator('#config-rows input[data-path="http.hlsduration"]');
    await input.waitFor({ timeout: 10_000 });
    assert.equal(await input.inputValue(), "5");

    // An invalid value: refused by name, nothing saved.
    await input.fill("abc");
    await input.dispatchEvent("change");
    await page.click("#config-review");
    await page.locator("#config-msg", { hasText: "http.hlsduration" }).waitFor({ timeout: 5000 });
    assert.equal(await page.locator("#config-save").isDisabled(), true);

    await input.fill("2");
    await input.dispatchEvent("change");
    await page.click("#config-review");
    await page.locator("#config-diff li", { hasText: "http.hlsduration: 5 → 2" }).waitFor({ timeout: 5000 });
    assert.match(await Deno.readTextFile(file), /<hlsduration>5<\/hlsduration>/, "a review writes nothing");
    await page.click("#config-save");
    await page.locator("#config-msg", { hasText: "saved and applied" }).waitFor({ timeout: 10_000 });
    assert.match(await page.locator("#config-msg").textContent() ?? "", /sections reloaded: .*http/);

    const saved = await Deno.readTextFile(file);
    assert.match(saved, /<hlsduration>2<\/hlsduration>/);
    assert.ok(saved.includes("Estuary configuration. Element names are smart_rtmpd's"), "comments kept");
    assert.match(await Deno.readTextFile(`${file}.bak`), /<hlsduration>5<\/hlsduration>/);
    assert.ok(
      es.lines.some((l) => l.includes("config reloaded") && l.includes("changed=http")),
      "applied live",
    );
    assert.ok(es.lines.some((l) => l.includes("admin action") && l.includes("config saved")));

    // smart_rtmpd's /api/config from a loopback client: its shape, read and written.
    const smart = await (await fetch(es.http("/api/config"))).json();
    assert.equal(smart.http.hls_duration, 2);
    const posted = await fetch(es.http("/api/config"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...smart, http: { ...smart.http, hls_duration: 3 } }),
    });
    const reply = await posted.json();
    assert.equal(posted.status, 200, JSON.stringify(reply));
    assert.equal(reply.bak_config, `${file}.bak`);
    assert.deepEqual(reply.changed, ["http"]);
    const after = await Deno.readTextFile(file);
    assert.match(after, /<hlsduration>3<\/hlsduration>/);
    assert.match(after, /<port>1935<\/port>/, "values set by the environment (port 0 here) are not written");

    // Policy: add an on-demand pull of this very server's stream in the portal; a player of it plays.
    await page.click('#nav a[href="#policy"]');
    await page.locator("#policy-file", { hasText: "policy.xml" }).waitFor({ timeout: 5000 });
    await page.fill(
      "#policy-text",
      `<policy><pulls><pull name="live/mirror" ondemand="true">rtmp://127.0.0.1:${es.ports.rtmp}/live/cfg</pull></pulls></policy>`,
    );
    await page.click("#policy-review");
    await page.locator("#policy-diff li", { hasText: "+ pull live/mirror" }).waitFor({ timeout: 5000 });
    await page.click("#policy-save");
    await page.locator("#policy-msg", { hasText: "saved and applied" }).waitFor({ timeout: 10_000 });
    assert.match(await Deno.readTextFile(`${root}/conf/policy.xml`), /live\/mirror/);
    const mirror = await decodedFrames(es.http("/live/mirror.flv"), { frames: 30, timeoutMs: 20_000 });
    assert.equal(mirror.frames, 30, `the pulled mirror plays (${mirror.stderr.slice(-200)})`);

    const { frames, stderr } = await player;
    assert.equal(frames, 360, `the player played through the save (${stderr.slice(-200)})`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await pub.stop();
    await es.stop();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
