/**
 * Smoke test of a built executable (or of `deno run main.ts` with the same flags): start it on free
 * ports in a temporary root, wait for it to listen, check GET /api/status and the built-in pages, and,
 * when ffmpeg is on the machine, publish 5 s over RTMP and play it back over HTTP-FLV. Then stop it
 * (SIGINT where there are signals) and require a clean exit. The release workflow runs it on every
 * target's own runner.
 *
 *   deno run -A tools/smoke.ts dist/estuary-x86_64-unknown-linux-gnu
 *   deno run -A tools/smoke.ts deno run -A main.ts          (the same entry point, from source)
 */
const cmd = Deno.args;
if (cmd.length === 0) {
  console.error("usage: deno run -A tools/smoke.ts <executable> [args…]");
  Deno.exit(2);
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const p = (l.addr as Deno.NetAddr).port;
  l.close();
  return p;
}

function has(tool: string): boolean {
  try {
    return new Deno.Command(tool, { args: ["-version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

const root = await Deno.makeTempDir({ prefix: "estuary-smoke-" });
const rtmp = freePort(), http = freePort();
const t0 = performance.now();
const child = new Deno.Command(cmd[0], {
  args: [...cmd.slice(1), "--root", root],
  env: {
    ESTUARY_RTMP_PORT: String(rtmp),
    ESTUARY_HTTP_PORT: String(http),
    ESTUARY_RTSP_PORT: "0",
    ESTUARY_SRT_PORT: "0",
    ESTUARY_RTMP_SPORT: "0",
    ESTUARY_HTTP_SPORT: "0",
    ESTUARY_RTSP_SPORT: "0",
    ESTUARY_RTMP_IP: "127.0.0.1",
    ESTUARY_HTTP_IP: "127.0.0.1",
  },
  stdout: "piped",
  stderr: "piped",
}).spawn();
const out: string[] = [];
const pump = async (s: ReadableStream<Uint8Array>) => {
  for await (const t of s.pipeThrough(new TextDecoderStream())) out.push(t);
};
const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
const fail = async (why: string): Promise<never> => {
  console.error(`smoke: FAIL: ${why}\n--- server output ---\n${out.join("")}`);
  try {
    child.kill("SIGKILL");
  } catch { /* gone */ }
  await Deno.remove(root, { recursive: true }).catch(() => {});
  Deno.exit(1);
};

let status: Record<string, { run: boolean }> | undefined;
for (let i = 0; i < 150 && !status; i++) {
  try {
    const r = await fetch(`http://127.0.0.1:${http}/api/status`);
    status = await r.json();
  } catch {
    await new Promise((r) => setTimeout(r, 100));
  }
}
if (!status) await fail("no answer from /api/status within 15 s");
const upMs = Math.round(performance.now() - t0);
if (!status!.rtmp?.run || !status!.http?.run) await fail(`services not running: ${JSON.stringify(status)}`);
for (const page of ["/", "/admin/"]) {
  const r = await fetch(`http://127.0.0.1:${http}${page}`);
  const body = await r.text();
  if (r.status !== 200 || !body.includes("<html")) await fail(`${page} answered ${r.status}`);
}
console.log(`smoke: listening and answering in ${upMs} ms (process start included)`);

if (has("ffmpeg")) {
  const pub = new Deno.Command("ffmpeg", {
    args: [
      "-nostdin",
      "-loglevel",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=320x240:rate=25",
      "-t",
      "8",
      "-c:v",
      "libx264",
      "-g",
      "25",
      "-f",
      "flv",
      `rtmp://127.0.0.1:${rtmp}/live/smoke`,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  await new Promise((r) => setTimeout(r, 2500));
  const play = await new Deno.Command("ffmpeg", {
    args: [
      "-nostdin",
      "-loglevel",
      "error",
      "-i",
      `http://127.0.0.1:${http}/live/smoke.flv`,
      "-frames:v",
      "75",
      "-f",
      "null",
      "-",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  await pub.status;
  if (!play.success) await fail(`ffmpeg could not play HTTP-FLV: ${new TextDecoder().decode(play.stderr)}`);
  console.log("smoke: ffmpeg published over RTMP and played 75 frames over HTTP-FLV");
} else {
  console.log("smoke: no ffmpeg here: publish/play skipped (the workflow installs it on Linux)");
}

child.kill(Deno.build.os === "windows" ? "SIGKILL" : "SIGINT");
const st = await child.status;
await pumps.catch(() => {});
await Deno.remove(root, { recursive: true }).catch(() => {});
if (Deno.build.os !== "windows" && st.code !== 0) await fail(`exit code ${st.code} after SIGINT`);
console.log("smoke: PASS");
