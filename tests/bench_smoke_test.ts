/**
 * A short smoke run of `deno task bench` so the benchmark cannot rot: a few RTMP and HTTP-FLV players,
 * WHEP viewers (werift), RTSP players over TCP and UDP and SRT callers on Estuary for a few seconds. It
 * asserts the players received the stream; it asserts no timing.
 */
import assert from "node:assert/strict";
import { requireTool, run } from "./support/mod.ts";

Deno.test("bench --smoke: every player receives the stream over RTMP, HTTP-FLV, WHEP, RTSP and SRT", async () => {
  requireTool("ffmpeg");
  const dir = await Deno.makeTempDir();
  const json = `${dir}/bench.json`;
  const main = new URL("../bench/main.ts", import.meta.url).pathname;
  const r = await run(Deno.execPath(), ["run", "-A", main, "--smoke", "--json", json], {
    timeoutMs: 180_000,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
  });
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.match(r.stdout, /\| estuary \| rtmp \|/);
  const { results } = JSON.parse(await Deno.readTextFile(json));
  assert.deepEqual(results.map((x: { proto: string }) => x.proto).sort(), [
    "flv",
    "rtmp",
    "rtsp-tcp",
    "rtsp-udp",
    "srt",
    "whep",
  ]);
  for (const x of results) {
    assert.equal(x.connected, x.n, `${x.proto}: all players connected`);
    assert.equal(x.started, x.n, `${x.proto}: all players got media`);
    assert.equal(x.dropped, 0, `${x.proto}: no player dropped`);
    // A player that received the stream gets about the source bitrate (RTSP, SRT, WHEP: about every
    // packet its sequence numbers announce); half is a loose floor that still fails if playback never
    // started.
    assert.ok(
      x.min_share > 0.5,
      `${x.proto}: the slowest player got ${(x.min_share * 100).toFixed(1)} % of the bytes`,
    );
    // WHEP viewers check a sample of the SRTP packets with werift's own decryption.
    if (x.proto === "whep") assert.equal(x.auth_failures, 0, "whep: SRTP packets that failed werift's check");
    // SRT callers check the TS continuity counters of what they receive.
    if (x.proto === "srt") assert.equal(x.stages.ts_sync_errors, 0, "srt: TS packets out of sync");
  }
  await Deno.remove(dir, { recursive: true });
});
