/**
 * The server bundle (tools/bundle.ts), which `deno task start` and `deno task build` run instead of the
 * sources: built, then smoke-tested as a release executable is (tools/smoke.ts: start on free ports,
 * GET /api/status and the built-in pages, ffmpeg publishes over RTMP and plays over HTTP-FLV, SIGINT and
 * a clean exit), with the compiled flags; then a werift WHEP viewer of an RTMP H.264 + AAC stream, which
 * loads the lazy chunks (WebRTC, werift, the AAC → Opus transcoder and libopus). The rest of the suite
 * runs the sources; this proves the bundle is the same program.
 */
import assert from "node:assert/strict";
import { ffmpegPublish, requireTool, run, startEstuary, waitFor } from "./support/mod.ts";
import { whepWerift } from "./support/whep_werift.ts";
import { bundleServer } from "../tools/bundle.ts";
import { BUNDLE_ENTRY } from "../src/cli/program_dir.ts";
import { COMPILED_V8_FLAGS } from "../tools/startup.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("server bundle: built, started with the compiled flags, serves pages, RTMP in and HTTP-FLV out, stops cleanly", async () => {
  requireTool("ffmpeg");
  assert.ok(await bundleServer(), "tools/bundle.ts failed (its error is above)");
  const entry = `${ROOT}${BUNDLE_ENTRY}`;
  // Stack traces map back to the TypeScript through the linked source maps.
  const main = await Deno.readTextFile(entry);
  assert.match(main, /\/\/# sourceMappingURL=main\.js\.map\s*$/);
  const r = await run(Deno.execPath(), [
    "run",
    "-A",
    `${ROOT}tools/smoke.ts`,
    Deno.execPath(),
    "run",
    "--allow-all",
    COMPILED_V8_FLAGS,
    entry,
  ], { timeoutMs: 120_000, env: { NO_COLOR: "1" } });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr.slice(-3000)}`);
  assert.match(r.stdout, /smoke: ffmpeg published over RTMP and played 75 frames over HTTP-FLV/);
  assert.match(r.stdout, /smoke: PASS/);
});

Deno.test("server bundle: WebRTC and the transcoder load from their chunks (werift WHEP viewer hears Opus from AAC)", async () => {
  requireTool("ffmpeg");
  assert.ok(await bundleServer(), "tools/bundle.ts failed (its error is above)");
  // Started and listening before ffmpeg connects: the first run of a fresh bundle takes longer to
  // listen, and an ffmpeg that finds no listener gives up at once.
  const server = await startEstuary({
    entry: BUNDLE_ENTRY,
    denoFlags: [COMPILED_V8_FLAGS],
    env: { ESTUARY_RTSP_ENABLE: "false", ESTUARY_SRT_ENABLE: "false" },
  });
  const pub = ffmpegPublish({ url: server.rtmp("/live/b"), format: "flv", seconds: 20 });
  let last = "no answer yet";
  try {
    const viewer = await waitFor(
      async () => {
        // 404 until the publisher is live.
        const v = await whepWerift(server.http("/live/b/whep")).catch((e) => {
          last = String(e);
          return undefined;
        });
        if (v?.status === 201) return v;
        if (v) last = `${v.status} ${v.error}`;
        await v?.close();
        await new Promise((r) => setTimeout(r, 500));
        return undefined;
      },
      20_000,
      "WHEP answered 201",
    ).catch((e) => {
      throw new Error(`${e.message} (last: ${last})\n${server.lines.slice(-30).join("\n")}`);
    });
    try {
      await viewer.connected(10_000);
      await waitFor(
        () => viewer.audio.packets.length >= 50 && viewer.video.packets.length >= 50 || undefined,
        15_000,
        "media",
      )
        .catch(() => {});
      assert.ok(viewer.video.packets.length >= 50, `${viewer.video.packets.length} video packets`);
      assert.ok(
        viewer.audio.packets.length >= 50,
        `${viewer.audio.packets.length} Opus packets (AAC transcoded)`,
      );
    } finally {
      await viewer.close();
    }
    const log = server.lines.join("\n");
    assert.doesNotMatch(log, / ERROR |Uncaught|^error:/m, log);
  } finally {
    await pub.stop();
    await server.stop("SIGINT");
    await Deno.remove(server.root, { recursive: true });
  }
});
