/**
 * The server bundle (tools/bundle.ts), which `deno task start` and `deno task build` run instead of the
 * sources: built, then smoke-tested as a release executable is (tools/smoke.ts: start on free ports,
 * GET /api/status and the built-in pages, ffmpeg publishes over RTMP and plays over HTTP-FLV, SIGINT and
 * a clean exit), with the compiled flags; then a werift WHEP viewer of an RTMP H.264 + AAC stream, which
 * loads the lazy chunks (WebRTC, werift, the AAC → Opus transcoder and libopus). The rest of the suite
 * runs the sources; this proves the bundle is the same program.
 */
import assert from "node:assert/strict";
import { ffmpegPublish, requireTool, run, waitFor } from "./support/mod.ts";
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

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const p = (l.addr as Deno.NetAddr).port;
  l.close();
  return p;
}

Deno.test("server bundle: WebRTC and the transcoder load from their chunks (werift WHEP viewer hears Opus from AAC)", async () => {
  requireTool("ffmpeg");
  assert.ok(await bundleServer(), "tools/bundle.ts failed (its error is above)");
  const root = await Deno.makeTempDir({ prefix: "estuary-bundle-" });
  const ports = { rtmp: freePort(), http: freePort() };
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", COMPILED_V8_FLAGS, `${ROOT}${BUNDLE_ENTRY}`, "--root", root],
    env: {
      ESTUARY_RTMP_PORT: String(ports.rtmp),
      ESTUARY_HTTP_PORT: String(ports.http),
      ESTUARY_RTSP_ENABLE: "false",
      ESTUARY_SRT_ENABLE: "false",
      ESTUARY_LOG_FILE: "false",
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const reading = (async () => {
    for await (const chunk of server.stdout.pipeThrough(new TextDecoderStream())) log += chunk;
  })();
  const errors = new Response(server.stderr).text();
  const pub = ffmpegPublish({ url: `rtmp://127.0.0.1:${ports.rtmp}/live/b`, format: "flv", seconds: 20 });
  try {
    const viewer = await waitFor(
      async () => {
        // Refused until the server listens, 404 until the publisher is live.
        const v = await whepWerift(`http://127.0.0.1:${ports.http}/live/b/whep`).catch(() => undefined);
        if (v?.status === 201) return v;
        await v?.close();
        await new Promise((r) => setTimeout(r, 500));
        return undefined;
      },
      15_000,
      "WHEP answered 201",
    );
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
    assert.doesNotMatch(log, / ERROR /, log);
  } finally {
    await pub.stop();
    server.kill("SIGINT");
    await server.status;
    await reading;
    const e = await errors;
    assert.doesNotMatch(e, /error/i, e);
    await Deno.remove(root, { recursive: true });
  }
});
