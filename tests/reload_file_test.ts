/**
 * Live reload by editing config.xml on disk (no signal), through the real program in a child
 * process: an ffmpeg RTMP publisher and ffmpeg HTTP-FLV, RTSP and SRT players run while the file
 * moves the RTMP port and shortens the HLS segments. Within 3 s the new port accepts and the old one
 * refuses; the publisher (connected before the move) keeps streaming; no player waits over 1 s for
 * a frame; new HLS segments follow the new duration. Then an invalid edit is refused with one log
 * line naming the element, the value and the rule, and the server keeps the previous config. A save of
 * policy.xml beside it triggers the same reload; a save that changes nothing triggers none.
 */
import assert from "node:assert/strict";
import { parseMediaPlaylist } from "../src/formats/hls/mod.ts";
import { AAC, ffmpegPublish, getText, H264B, requireTool, startEstuary, waitFor } from "./support/mod.ts";
import { type Arrival, flvPlayer, gaps } from "./support/flv_player.ts";

requireTool("ffmpeg");

const KEY = "live/filereload";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function accepts(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch {
    return false;
  }
}

const config = (rtmpPort: number | string, hlsduration: number) =>
  `<?xml version="1.0" encoding="utf-8"?>
<config>
  <rtmp><port>${rtmpPort}</port></rtmp>
  <http><hlsduration>${hlsduration}</hlsduration></http>
</config>
`;

function assertSmooth(name: string, video: Arrival[], from: number, end: number) {
  assert.ok(video.length > 0, `the ${name} player received video`);
  assert.ok(end - video[video.length - 1].at < 1000, `the ${name} player is still receiving`);
  const g = gaps(video, from);
  assert.ok(g.wallMs < 1000, `the ${name} player waited ${g.wallMs} ms for a frame`);
  const seconds = (end - from) / 1000;
  const frames = video.filter((v) => v.at >= from).length;
  assert.ok(frames >= seconds * 30 * 0.8, `${name}: ${frames} frames in ${seconds.toFixed(1)} s`);
  return g.wallMs;
}

Deno.test("reload on file change: the RTMP port moves and HLS segments shorten while RTMP, HTTP-FLV, RTSP and SRT play on; an invalid edit is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "estuary-test-" });
  const file = `${dir}/config.xml`;
  const oldPort = freePort();
  await Deno.writeTextFile(file, config(oldPort, 5));
  const server = await startEstuary({
    args: ["--config", file],
    root: dir,
    services: ["rtmp", "http", "rtsp", "srt"],
    unsetEnv: ["ESTUARY_RTMP_PORT"],
  });
  assert.equal(server.ports.rtmp, oldPort, "the RTMP port comes from the file");
  const publisher = ffmpegPublish({
    url: `rtmp://127.0.0.1:${oldPort}/${KEY}`,
    format: "flv",
    seconds: 60,
    video: H264B,
    audio: AAC,
  });
  const players = {
    "HTTP-FLV": flvPlayer(server.http(`/${KEY}.flv`)),
    RTSP: flvPlayer(`rtsp://127.0.0.1:${server.ports.rtsp}/${KEY}`, {
      inputArgs: ["-rtsp_transport", "tcp"],
    }),
    SRT: flvPlayer(
      `srt://127.0.0.1:${server.ports.srt}?mode=caller&latency=120000&streamid=#!::r=${KEY},m=request`,
      { inputArgs: [] },
    ),
  };
  const m3u8 = server.http(`/${KEY}.m3u8`);
  try {
    for (const [name, p] of Object.entries(players)) {
      await waitFor(() => p.video.length >= 30, 20_000, `the ${name} player's first frames`);
    }
    const before = await getText(m3u8); // starts the live HLS segmenter
    assert.equal(before.status, 200, before.text);
    const playingFrom = Date.now();
    await sleep(1500);

    // 1. Move the RTMP port and shorten HLS segments by saving the file: no signal.
    const newPort = freePort();
    const savedAt = Date.now();
    await Deno.writeTextFile(file, config(newPort, 2));
    await waitFor(async () => await accepts(newPort) && !(await accepts(oldPort)), 3000, "the port move");
    const movedMs = Date.now() - savedAt;
    const reloaded = await waitFor(
      () => server.lines.find((l) => l.includes("config reloaded")),
      3000,
      "the reload's summary line",
    );
    assert.match(reloaded, /changed=[^ ]*rtmp/);
    assert.match(reloaded, /changed=[^ ]*http/);
    assert.match(reloaded, /updated=[^ ]*rtmp/);

    // 2. An invalid edit: refused, one line naming element, value and rule; the previous config stays.
    await sleep(1000);
    await Deno.writeTextFile(file, config(99999, 2));
    const refusal = await waitFor(
      () => server.lines.find((l) => l.includes("config reload refused")),
      3000,
      "the refusal",
    );
    assert.match(refusal, / ERROR /);
    assert.match(refusal, /rtmp\.port/);
    assert.match(refusal, /99999/);
    assert.match(refusal, /0\.\.65535/);
    assert.equal(server.lines.filter((l) => l.includes("config reload refused")).length, 1);
    assert.ok(await accepts(newPort), "the new port still accepts after the refused edit");
    assert.ok(!(await accepts(oldPort)), "the old port still refuses");

    // 3. A new stream, published on the new port, is segmented with <hlsduration>2</hlsduration>
    // (a running segmenter keeps its settings until it restarts).
    const second = ffmpegPublish({
      url: `rtmp://127.0.0.1:${newPort}/live/after`,
      format: "flv",
      seconds: 12,
      video: H264B,
      audio: AAC,
    });
    try {
      const url = server.http("/live/after.m3u8");
      const p = await waitFor(
        async () => {
          const r = await getText(url);
          const pl = r.status === 200 ? parseMediaPlaylist(r.text) : undefined;
          return pl && pl.segments.length >= 2 ? pl : undefined;
        },
        15_000,
        "two HLS segments of the new stream",
      );
      const d = p.segments.map((s) => s.duration);
      assert.ok(d.every((x) => x <= 2.6), `the new stream's segments last ${d} s`);
      assert.equal(p.targetDuration, 2, `target duration ${p.targetDuration}`);
      // The first stream's playlist is still served.
      assert.equal((await getText(m3u8)).status, 200);
    } finally {
      await second.stop();
    }

    // The publisher connected before the move kept streaming, and no player stalled.
    const end = Date.now();
    const live = JSON.parse((await getText(server.http("/api/live"))).text);
    assert.equal(live.stream.length, 1, "the stream is still live");
    const worst: Record<string, number> = {};
    for (const [name, p] of Object.entries(players)) {
      worst[name] = assertSmooth(name, p.video, playingFrom, end);
    }
    console.log(
      `port moved in ${movedMs} ms; the longest wait for a frame per player (ms): ${JSON.stringify(worst)}`,
    );
  } finally {
    for (const p of Object.values(players)) await p.stop();
    await publisher.stop();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reload on file change: policy.xml beside config.xml triggers the same reload; an identical save none", async () => {
  const dir = await Deno.makeTempDir({ prefix: "estuary-test-" });
  const file = `${dir}/config.xml`;
  const policy = `${dir}/policy.xml`;
  await Deno.writeTextFile(file, "<config><rtmp><live>live</live></rtmp></config>\n");
  await Deno.writeTextFile(policy, "<policy></policy>\n");
  const server = await startEstuary({ args: ["--config", file], root: dir });
  const reloads = () => server.lines.filter((l) => l.includes("config reloaded")).length;
  try {
    await waitFor(
      () => server.lines.some((l) => /watching config files .*policy\.xml/.test(l)),
      3000,
      "the watch of config.xml and policy.xml",
    );
    // The same bytes saved again (an editor's :w without a change): nothing happens.
    await Deno.writeTextFile(file, "<config><rtmp><live>live</live></rtmp></config>\n");
    await sleep(1200);
    assert.equal(reloads(), 0);
    // A change to policy.xml: one reload.
    await Deno.writeTextFile(policy, "<policy><!-- changed --></policy>\n");
    await waitFor(() => reloads() === 1, 3000, "the reload after policy.xml changed");
    await sleep(800);
    assert.equal(reloads(), 1, "one save, one reload");
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
