/**
 * Graceful stop through the real program: with a recording in progress (record app `rec`, HLS) and
 * ffmpeg RTMP, HTTP-FLV and RTSP players, SIGTERM ends the RTMP, HTTP-FLV and RTSP players with their protocol's end of
 * stream (ffmpeg exits 0, as at a normal end), closes the recording's playlist with #EXT-X-ENDLIST so
 * ffprobe plays it to the end, and the process exits 0 well within the 5 s deadline. New
 * connections are refused once it has gone.
 */
import assert from "node:assert/strict";
import { parseMediaPlaylist } from "../src/formats/hls/mod.ts";
import { dayAndTime } from "../src/record/mod.ts";
import { AAC, ffmpegPublish, ffprobeJson, H264H, requireTool, startEstuary, waitFor } from "./support/mod.ts";

requireTool("ffmpeg");
requireTool("ffprobe");

/** An ffmpeg player decoding to nothing, whose exit code tells whether the stream ended cleanly. */
function player(url: string, inputArgs = ["-rw_timeout", "5000000"]) {
  const child = new Deno.Command("ffmpeg", {
    args: [
      "-nostdin",
      "-hide_banner",
      "-loglevel",
      "error",
      ...inputArgs,
      "-i",
      url,
      "-f",
      "null",
      "-",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  return {
    child,
    async result() {
      const st = await child.status;
      return { code: st.code, stderr: await stderr };
    },
    kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    },
  };
}

Deno.test("graceful stop: SIGTERM closes a recording with ENDLIST, ends RTMP, HTTP-FLV and RTSP players cleanly, exits 0 within 5 s", async () => {
  const dir = await Deno.makeTempDir({ prefix: "estuary-test-" });
  const server = await startEstuary({
    root: dir,
    services: ["rtmp", "http", "rtsp"],
    env: { ESTUARY_HTTP_RECMODE: "1", ESTUARY_HTTP_RECDURATION: "10", ESTUARY_HTTP_HLSDURATION: "1" },
  });
  const pub = ffmpegPublish({
    url: server.rtmp("/rec/bye"),
    format: "flv",
    seconds: 60,
    video: H264H,
    audio: AAC,
    size: "320x180",
  });
  const rtmp = player(server.rtmp("/rec/bye"));
  const flv = player(server.http("/rec/bye.flv"));
  const rtsp = player(`rtsp://127.0.0.1:${server.ports.rtsp}/rec/bye`, ["-rtsp_transport", "tcp"]);
  try {
    const folder = `${dir}/rec/127.0.0.1/bye/${dayAndTime(Date.now())[0]}`;
    const playlist = await waitFor(
      async () => {
        try {
          for await (const e of Deno.readDir(folder)) {
            if (!e.name.endsWith(".m3u8")) continue;
            const p = parseMediaPlaylist(await Deno.readTextFile(`${folder}/${e.name}`));
            if (p.segments.length >= 3) return `${folder}/${e.name}`;
          }
        } catch { /* not there yet */ }
        return undefined;
      },
      30_000,
      "three recorded segments",
    );
    const open = parseMediaPlaylist(await Deno.readTextFile(playlist));
    assert.ok(!open.endList, "a recording in progress is open");

    const t0 = performance.now();
    const status = await server.stop("SIGTERM");
    const stopMs = Math.round(performance.now() - t0);
    assert.equal(status.code, 0, server.lines.slice(-20).join("\n"));
    assert.ok(stopMs < 5000, `stopped in ${stopMs} ms`);
    assert.ok(server.lines.some((l) => /stopping .*signal=SIGTERM/.test(l)));
    assert.ok(server.lines.some((l) => /recording stop /.test(l)), "the recorder logged the closed file");

    // The recording: closed, and played to its end by ffprobe.
    const text = await Deno.readTextFile(playlist);
    const closed = parseMediaPlaylist(text);
    assert.equal(closed.endList, true, text);
    assert.ok(closed.segments.length >= open.segments.length);
    const probed = Number((await ffprobeJson(playlist, { timeoutMs: 20_000 })).format?.duration);
    assert.ok(Math.abs(probed - closed.duration) < 1, `ffprobe ${probed} s, playlist ${closed.duration} s`);

    // The players saw an end of stream, not an error: ffmpeg exits 0.
    for (const [name, p] of [["RTMP", rtmp], ["HTTP-FLV", flv], ["RTSP", rtsp]] as const) {
      const r = await Promise.race([
        p.result(),
        new Promise<undefined>((res) => setTimeout(() => res(undefined), 5000)),
      ]);
      assert.ok(r, `the ${name} player did not end within 5 s of the stop`);
      assert.equal(r.code, 0, `the ${name} player: ${r.stderr}`);
    }
    // The RTMP player's session ended after flushing StreamEOF + UnpublishNotify, not by a cut.
    const rtmpStop = server.lines.find((l) => /rtmp session stop .*role=player/.test(l));
    assert.match(rtmpStop ?? "", /reason="stream ended: server stopping"/);
    // The RTSP player's connection closed itself after the RTCP BYE, not by the listener's cut.
    const rtspStop = server.lines.find((l) => /rtsp disconnect /.test(l));
    assert.match(rtspStop ?? "", /reason="stream ended: server stopping"/);
    // And nothing listens any more.
    await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: server.ports.rtmp }));
    console.log(
      `stopped in ${stopMs} ms; recording closed with ${closed.segments.length} segments, ${closed.duration} s`,
    );
  } finally {
    for (const p of [rtmp, flv, rtsp]) p.kill();
    for (const p of [rtmp, flv, rtsp]) await p.result();
    await pub.stop();
    await server.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("graceful stop: an HTTP-FLV player that never reads does not hold the stop past the 5 s deadline", async () => {
  const dir = await Deno.makeTempDir({ prefix: "estuary-test-" });
  const server = await startEstuary({ root: dir });
  const pub = ffmpegPublish({
    url: server.rtmp("/live/stuck"),
    format: "flv",
    seconds: 60,
    video: ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "8M", "-g", "30"],
    audio: AAC,
    size: "1280x720",
  });
  const conns: Deno.Conn[] = [];
  try {
    await waitFor(
      async () => {
        const r = await fetch(server.http("/api/live"));
        return (await r.json()).stream.length === 1;
      },
      15_000,
      "live/stuck",
    );
    // An HTTP-FLV player that sends its request and then never reads a byte.
    const flv = await Deno.connect({ hostname: "127.0.0.1", port: server.ports.http });
    await flv.write(new TextEncoder().encode("GET /live/stuck.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    conns.push(flv);
    // Let the socket buffers fill.
    await new Promise((r) => setTimeout(r, 3000));
    const t0 = performance.now();
    const status = await server.stop("SIGTERM");
    const ms = Math.round(performance.now() - t0);
    assert.ok(ms < 5500, `the process exited ${ms} ms after SIGTERM`);
    assert.ok(status.code === 0 || status.code === 1, `exit code ${status.code}`);
    if (status.code === 1) assert.ok(server.lines.some((l) => /stop deadline passed/.test(l)));
    console.log(`with a player that never reads: exited ${ms} ms after SIGTERM, code ${status.code}`);
  } finally {
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await pub.stop();
    await server.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});
