/** The command line: flags, config errors, smart_rtmpd's own config.xml, port 0, live reload. */
import assert from "node:assert/strict";
import { AAC, decodedFrames, ffmpegPublish, H264B, run, startEstuary, waitFor } from "./support/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const env = { RUST_BACKTRACE: "0", NO_COLOR: "1" };

Deno.test("cli: --help and --version exit 0", async () => {
  const help = await run(Deno.execPath(), ["run", "-A", MAIN, "--help"], { timeoutMs: 30000, env });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--config FILE/);
  const version = await run(Deno.execPath(), ["run", "-A", MAIN, "--version"], { timeoutMs: 30000, env });
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^estuary \d+\.\d+\.\d+/);
});

Deno.test("cli: a bad flag exits non-zero with one clear message", async () => {
  const r = await run(Deno.execPath(), ["run", "-A", MAIN, "--bogus"], { timeoutMs: 30000, env });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown flag "--bogus"/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});

Deno.test("cli: <port>99999</port> fails naming rtmp.port", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/config.xml`;
  await Deno.writeTextFile(file, "<config><rtmp><port>99999</port></rtmp></config>");
  const r = await run(Deno.execPath(), ["run", "-A", MAIN, "--config", file, "--root", dir], {
    timeoutMs: 30000,
    env,
  });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /rtmp\.port/);
  assert.match(r.stderr, /99999/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli: smart_rtmpd's own config.xml runs as it is (ports from the environment)", async () => {
  const ref = `${ROOT}src/config/testdata/smart_rtmpd_config.xml.txt`;
  const server = await startEstuary({ args: ["--config", ref], services: ["rtmp", "http", "srt"] });
  try {
    const status = await (await fetch(server.http("/api/status"))).json();
    assert.equal(status.rtmp.run, true);
    assert.equal(status.rtmp.port, server.ports.rtmp);
    assert.notEqual(status.rtmp.port, 0, "port 0 shows the chosen port");
    assert.equal(status.http.port, server.ports.http);
    assert.ok(status.start_time);
    assert.equal(server.lines.filter((l) => / ERROR /.test(l)).length, 0, server.lines.join("\n"));
  } finally {
    await server.stop();
  }
});

Deno.test("server: SIGHUP reload applies a new app allowlist without dropping a live stream", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/config.xml`;
  await Deno.writeTextFile(file, "<config><rtmp><live>live</live></rtmp></config>");
  const server = await startEstuary({ args: ["--config", file], root: dir });
  const pub = ffmpegPublish({
    url: server.rtmp("/live/keep"),
    format: "flv",
    seconds: 14,
    video: H264B,
    audio: AAC,
  });
  try {
    await waitFor(
      async () => (await (await fetch(server.http("/api/live"))).json()).stream.length === 1,
      10000,
      "live/keep",
    );
    const refused = await run("ffmpeg", [
      "-nostdin",
      "-loglevel",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      "testsrc2",
      "-t",
      "2",
      "-c:v",
      "libx264",
      "-f",
      "flv",
      server.rtmp("/tv/x"),
    ], { timeoutMs: 15000 });
    assert.notEqual(refused.code, 0, "app tv is not allowed yet");
    await Deno.writeTextFile(file, "<config><rtmp><live>live,tv</live></rtmp></config>");
    server.child.kill("SIGHUP");
    await waitFor(() => server.lines.some((l) => l.includes("config reloaded")), 10000, "reload");
    const tv = ffmpegPublish({
      url: server.rtmp("/tv/x"),
      format: "flv",
      seconds: 6,
      video: H264B,
      audio: AAC,
    });
    await waitFor(
      async () => (await (await fetch(server.http("/api/live"))).json()).stream.length === 2,
      10000,
      "tv/x",
    );
    // The first stream kept flowing through the reload.
    const { frames } = await decodedFrames(server.rtmp("/live/keep"), {
      frames: 30,
      timeoutMs: 15000,
      inputArgs: ["-rw_timeout", "5000000"],
    });
    assert.ok(frames >= 30, `live/keep decoded ${frames} frames after the reload`);
    await tv.stop();
  } finally {
    await pub.stop();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
