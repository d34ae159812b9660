/**
 * `<workers>` 2: two worker processes share the RTMP and HTTP ports (SO_REUSEPORT) and the kernel
 * spreads the players over them. A stream published on one worker plays from both; /api/live counts
 * every player once; a worker killed with SIGKILL comes back while the other's players keep decoding;
 * a publisher whose worker was killed can publish again.
 */
import assert from "node:assert/strict";
import { AAC, decodedFrames, ffmpegPublish, H264B, requireTool, startEstuary } from "./support/mod.ts";

requireTool("ffmpeg");

interface WorkerRow {
  index: number;
  pid: number;
  players: number;
  publishing: string[];
}

const SIZE = "320x180"; // cheap to decode: 8+ decoders and the encoder share the machine with the server

async function until<T>(what: string, ms: number, get: () => Promise<T | undefined>): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < ms) {
    try {
      const v = await get();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms} ms${last ? ` (last error: ${(last as Error).message})` : ""}`);
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  // A new connection per request: the kernel may give each to either worker.
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    const r = await fetch(url, { client, signal: AbortSignal.timeout(10_000) });
    return { status: r.status, body: await r.json() };
  } finally {
    client.close();
  }
}

Deno.test({
  name: "workers 2: players spread over both workers, counted once; a killed worker comes back",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startEstuary({ env: { ESTUARY_WORKERS: "2" }, timeoutMs: 90_000 });
    const workers = async () => (await getJson(server.http("/api/workers"))).body.workers as WorkerRow[];
    const pubs: { stop(): Promise<string> }[] = [];
    const players: Promise<{ frames: number; stderr: string }>[] = [];
    try {
      const first = await until("both workers joined", 60_000, async () => {
        const w = await workers();
        return w.length === 2 && w.every((x) => x.pid > 0) ? w : undefined;
      });
      assert.notEqual(first[0].pid, first[1].pid);
      const pub = ffmpegPublish({
        url: server.rtmp("/live/cam"),
        format: "flv",
        seconds: 240,
        size: SIZE,
        video: H264B,
        audio: AAC,
      });
      pubs.push(pub);
      const publisher = await until("the publish", 30_000, async () => {
        const w = await workers();
        return w.find((x) => x.publishing.includes("live/cam"));
      });
      const other = first.find((x) => x.index !== publisher.index)!;

      // Long-lived players, RTMP and HTTP-FLV; more if the kernel put all of them on one worker.
      const TARGET = 900; // 30 s of 30 fps video: they are still playing when a worker is killed
      const start = (i: number) =>
        players.push(decodedFrames(i % 2 ? server.http("/live/cam.flv") : server.rtmp("/live/cam"), {
          frames: TARGET,
          timeoutMs: 90_000,
        }));
      for (let i = 0; i < 8; i++) start(i);
      const spread = await until("8 players counted, some on each worker", 60_000, async () => {
        const w = await workers();
        const total = w.reduce((a, x) => a + x.players, 0);
        if (total < players.length) return undefined;
        if (w.every((x) => x.players > 0)) return w;
        if (players.length < 16) start(players.length); // all on one worker: one more connection
        return undefined;
      });
      const n = players.length;
      const perWorker = spread.map((x) => x.players);
      // /api/live counts each player once, whichever worker answers (ask several times: new connections).
      for (let i = 0; i < 4; i++) {
        const count = await getJson(server.http("/api/live?app=live&name=cam&cmd=count"));
        assert.equal(count.status, 200);
        assert.equal(count.body.total, n, JSON.stringify(count.body));
        const list = await getJson(server.http("/api/live"));
        assert.equal((list.body.stream as string[]).length, 1, JSON.stringify(list.body));
      }

      // SIGKILL the worker without the publisher: its players end, the publisher's worker's keep decoding.
      const survivors = spread.find((x) => x.index === publisher.index)!.players;
      Deno.kill(other.pid, "SIGKILL");
      const t0 = Date.now();
      const back = await until("the killed worker back", 60_000, async () => {
        const w = await workers();
        const again = w.find((x) => x.index === other.index);
        return again && again.pid !== other.pid ? again : undefined;
      });
      const backMs = Date.now() - t0;
      const results = await Promise.all(players);
      const full = results.filter((r) => r.frames === TARGET).length;
      assert.equal(full, survivors, results.map((r) => `${r.frames} ${r.stderr.slice(-120)}`).join("\n"));

      // A new player reaches the restarted worker (new connections until one lands there).
      const later: Promise<{ frames: number; stderr: string }>[] = [];
      const seen = await until("a player on the restarted worker", 60_000, async () => {
        const w = await workers();
        if ((w.find((x) => x.index === other.index)?.players ?? 0) > 0) return w;
        if (later.length < 10) {
          later.push(decodedFrames(server.http("/live/cam.flv"), { frames: 150, timeoutMs: 60_000 }));
        }
        return undefined;
      });
      for (const r of await Promise.all(later)) assert.equal(r.frames, 150, r.stderr.slice(-300));

      // SIGKILL the publisher's worker: the publisher is cut off and publishes again (on either worker).
      Deno.kill(publisher.pid, "SIGKILL");
      await pub.stop();
      const again = await until("a new publish", 60_000, async () => {
        const w = await workers();
        const p = w.find((x) => x.publishing.includes("live/cam"));
        if (p) return p;
        if (pubs.length < 8) {
          pubs.push(ffmpegPublish({
            url: server.rtmp("/live/cam"),
            format: "flv",
            seconds: 60,
            size: SIZE,
            video: H264B,
            audio: AAC,
          }));
        }
        await new Promise((r) => setTimeout(r, 2000));
        return undefined;
      });
      const replay = await decodedFrames(server.rtmp("/live/cam"), { frames: 60, timeoutMs: 30_000 });
      assert.equal(replay.frames, 60, replay.stderr.slice(-300));
      assert.ok(server.lines.some((l) => l.includes("worker exited; restarting")));
      console.log(
        `workers: ${n} players, per worker ${perWorker.join(" + ")}; ${survivors} on the surviving worker ` +
          `decoded all ${TARGET} frames through the kill; the killed worker was back in ${backMs} ms (pid ${back.pid}) ` +
          `(players then ${seen.map((x) => x.players).join(" + ")}); republished on worker ${again.index}`,
      );
    } finally {
      for (const p of pubs) await p.stop();
      await Promise.allSettled(players);
      await server.stop();
    }
  },
});

/** The process has exited (gone, or a zombie waiting for a reaper). */
function gone(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]?.startsWith("Z") ?? true;
  } catch {
    return true;
  }
}

/** An admin API call over a new connection (either worker may answer); its {code, msg, data}. */
async function admin(url: string, method: string, token?: string, body?: unknown) {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    const r = await fetch(url, {
      client,
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    return await r.json() as { code: number; msg: string; data: Record<string, unknown> };
  } finally {
    client.close();
  }
}

async function getText(url: string): Promise<{ status: number; text: string }> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    const r = await fetch(url, { client, signal: AbortSignal.timeout(15_000) });
    return { status: r.status, text: await r.text() };
  } finally {
    client.close();
  }
}

Deno.test({
  name:
    "workers 2: HLS from either worker comes from the publisher's one segmenter; RTSP plays from either; metrics and SIGHUP reach every worker",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startEstuary({
      // An RTSP camera below stays on RTSP: the worker that relays it must know it came over RTSP.
      env: { ESTUARY_WORKERS: "2", ESTUARY_RTSP_HASRTMP: "false", ESTUARY_ADMIN_PASSWORD: "workers-admin-1" },
      services: ["rtmp", "http", "rtsp"],
      timeoutMs: 90_000,
    });
    await until("both workers", 60_000, async () => {
      const w = (await getJson(server.http("/api/workers"))).body.workers as WorkerRow[];
      return w.length === 2 ? w : undefined;
    });
    // HTTP-FLV players that arrive before the publisher wait for it, whichever worker it lands on.
    const early = [0, 1, 2, 3].map(() =>
      decodedFrames(server.http("/live/hls.flv"), { frames: 60, timeoutMs: 40_000 })
    );
    await new Promise((r) => setTimeout(r, 1000));
    const pub = ffmpegPublish({
      url: server.rtmp("/live/hls"),
      format: "flv",
      seconds: 120,
      size: SIZE,
      video: H264B,
      audio: AAC,
    });
    try {
      for (const r of await Promise.all(early)) assert.equal(r.frames, 60, r.stderr.slice(-300));
      await until("both workers and the publish", 60_000, async () => {
        const w = (await getJson(server.http("/api/workers"))).body.workers as WorkerRow[];
        return w.length === 2 && w.some((x) => x.publishing.includes("live/hls")) ? w : undefined;
      });
      // Playlists over new connections (either worker): the same segments, from one segmenter.
      const playlist = await until("an HLS playlist with segments", 60_000, async () => {
        const r = await getText(server.http("/live/hls.m3u8"));
        return r.status === 200 && r.text.includes("#EXTINF") ? r.text : undefined;
      });
      const seqs = new Set<number>();
      for (let i = 0; i < 8; i++) {
        const r = await getText(server.http("/live/hls.m3u8"));
        assert.equal(r.status, 200, r.text);
        const seq = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(r.text)?.[1]);
        seqs.add(seq);
        const first = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1]);
        // One segmenter numbers the segments: every answer continues the first one's numbering.
        assert.ok(seq >= first && seq - first < 30, `media sequence ${seq} after ${first}`);
      }
      // A malformed escape in a segmented path gets the local app's 400 (bad name) on either worker, not a 500.
      for (let i = 0; i < 4; i++) {
        const bad = await getText(server.http("/live/%E0%A4%A.m3u8"));
        assert.equal(bad.status, 400, bad.text);
      }
      const hls = await decodedFrames(server.http("/live/hls.m3u8"), { frames: 60, timeoutMs: 40_000 });
      assert.equal(hls.frames, 60, hls.stderr.slice(-300));
      // RTSP (TCP) players on new connections: whichever worker each lands on plays the stream.
      const rtsp = await Promise.all(
        [0, 1, 2, 3].map(() =>
          decodedFrames(`rtsp://127.0.0.1:${server.ports.rtsp}/live/hls`, {
            frames: 60,
            timeoutMs: 40_000,
            inputArgs: ["-rtsp_transport", "tcp"],
          })
        ),
      );
      for (const r of rtsp) assert.equal(r.frames, 60, r.stderr.slice(-300));
      // <rtsp><hasrtmp>false: a camera published over RTSP plays over RTSP from either worker, and over
      // RTMP from neither (the relaying worker was told the protocol with the claim).
      const cam = ffmpegPublish({
        url: `rtsp://127.0.0.1:${server.ports.rtsp}/live/cam`,
        format: "rtsp",
        seconds: 60,
        size: SIZE,
        video: H264B,
        audio: AAC,
        extra: ["-rtsp_transport", "tcp"],
      });
      try {
        await until("the camera's publish", 30_000, async () => {
          const w = (await getJson(server.http("/api/workers"))).body.workers as WorkerRow[];
          return w.some((x) => x.publishing.includes("live/cam")) || undefined;
        });
        const camPlayers = await Promise.all([
          ...[0, 1, 2, 3].map(() =>
            decodedFrames(`rtsp://127.0.0.1:${server.ports.rtsp}/live/cam`, {
              frames: 30,
              timeoutMs: 30_000,
              inputArgs: ["-rtsp_transport", "tcp"],
            })
          ),
          ...[0, 1, 2, 3].map(() =>
            decodedFrames(server.rtmp("/live/cam"), { frames: 30, timeoutMs: 15_000 })
          ),
        ]);
        for (const r of camPlayers.slice(0, 4)) assert.equal(r.frames, 30, r.stderr.slice(-300));
        for (const r of camPlayers.slice(4)) assert.equal(r.frames, 0, "not offered over RTMP on any worker");
        const refusals = server.lines.filter((l) => l.includes("live/cam is not offered over rtmp"));
        assert.ok(refusals.length >= 1, "the refusals are logged");
        // An admin's kick from either worker reaches the camera's worker: the publish ends.
        const token = (await admin(server.http("/admin/api/login"), "POST", undefined, {
          id: "admin",
          pwd: "workers-admin-1",
        })).data.token as string;
        const kick = await admin(
          server.http("/admin/api/stream?cmd=kick&app=live&name=cam"),
          "POST",
          token,
          { app: "live", name: "cam" },
        );
        assert.equal(kick.code, 0, kick.msg);
        await until("the kicked camera to be gone", 10_000, async () => {
          const w = (await getJson(server.http("/api/workers"))).body.workers as WorkerRow[];
          return w.every((x) => !x.publishing.includes("live/cam")) || undefined;
        });
      } finally {
        await cam.stop();
      }
      // Recording on demand from either worker: the request goes to the publisher's worker, so each
      // start finds it recording or starts it, and each stop stops the one recording.
      const token = (await admin(server.http("/admin/api/login"), "POST", undefined, {
        id: "admin",
        pwd: "workers-admin-1",
      })).data.token as string;
      for (let i = 0; i < 3; i++) {
        const start = await admin(
          server.http("/admin/api/record?cmd=start&app=live&name=hls"),
          "POST",
          token,
        );
        assert.equal(start.code, 0, start.msg);
        await new Promise((r) => setTimeout(r, 500));
        const stop = await admin(server.http("/admin/api/record?cmd=stop&app=live&name=hls"), "POST", token);
        assert.deepEqual([stop.code, stop.data?.result], [0, true], stop.msg);
      }
      const metrics = await until("metrics from both workers", 20_000, async () => {
        const r = await getText(server.http("/metrics"));
        return r.status === 200 && r.text.includes('worker="1"') && r.text.includes('worker="0"')
          ? r.text
          : undefined;
      });
      const muxers = metrics.split("\n").filter((l) => l.startsWith("hls_muxers{") && l.includes("live/hls"));
      assert.equal(muxers.length, 1, muxers.join("\n"));
      // SIGHUP to the supervisor: every worker reloads.
      const before = server.lines.filter((l) => l.includes("config reloaded")).length;
      Deno.kill(server.child.pid, "SIGHUP");
      await until("both workers reloaded", 30_000, () =>
        Promise.resolve(
          server.lines.filter((l) => l.includes("config reloaded")).length >= before + 2 ? true : undefined,
        ));
      // The supervisor killed outright (no chance to stop its workers): they stop on their own.
      const pids = ((await getJson(server.http("/api/workers"))).body.workers as WorkerRow[]).map((x) =>
        x.pid
      );
      Deno.kill(server.child.pid, "SIGKILL");
      const t0 = Date.now();
      await until(
        "the workers to stop after their supervisor",
        30_000,
        () => Promise.resolve(pids.every(gone) || undefined),
      );
      console.log(
        `workers HLS: 8 playlists over new connections, media sequences ${[...seqs].join(",")}; ` +
          `4 FLV players waiting before the publish and 4 RTSP players decoded 60 frames each; one hls muxer in /metrics; SIGHUP reloaded both workers; ` +
          `with the supervisor killed, the workers stopped within ${Date.now() - t0} ms`,
      );
    } finally {
      await pub.stop();
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "workers 2 with the auth callback: players on the worker without the publisher play through the relay, which never asks the callback",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const asked: string[] = [];
    // The same little server takes the hooks (POST /hooks): each worker reports its own events.
    const hooks: Record<string, unknown>[] = [];
    const auth = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      if (req.method === "POST") {
        hooks.push(await req.json());
        return new Response(null, { status: 204 });
      }
      asked.push(new URL(req.url).pathname + new URL(req.url).search);
      return new Response(null, {
        status: new URL(req.url).searchParams.get("token") === "good" ? 200 : 403,
      });
    });
    const server = await startEstuary({
      env: {
        ESTUARY_WORKERS: "2",
        ESTUARY_AUTHURL_HOST: `127.0.0.1:${auth.addr.port}`,
        ESTUARY_HOOKS_URL: `http://127.0.0.1:${auth.addr.port}/hooks`,
        ESTUARY_HOOKS_EVENTS: "publish,play",
      },
      timeoutMs: 90_000,
    });
    const pub = ffmpegPublish({
      url: server.rtmp("/live/cam?token=good"),
      format: "flv",
      seconds: 60,
      size: SIZE,
      video: H264B,
      audio: AAC,
    });
    try {
      await until("both workers and the publish", 60_000, async () => {
        const w = (await getJson(server.http("/api/workers?token=good"))).body.workers as WorkerRow[];
        return w.length === 2 && w.some((x) => x.publishing.includes("live/cam")) ? w : undefined;
      });
      // New connections: the kernel puts some on the worker without the publisher (the relay's side);
      // another batch if it put all six on the publisher's.
      const relayed = () =>
        server.lines.filter((l) => l.includes("edge pull start") && l.includes("live/cam"));
      let played = 0;
      for (let batch = 0; batch < 3 && (batch === 0 || relayed().length === 0); batch++) {
        const good = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => {
          const url = i % 2 ? server.http("/live/cam.flv?token=good") : server.rtmp("/live/cam?token=good");
          return decodedFrames(url, { frames: 30, timeoutMs: 30_000 });
        }));
        for (const r of good) assert.equal(r.frames, 30, r.stderr.slice(-300));
        played += good.length;
      }
      assert.ok(relayed().length >= 1, "some players were on the worker without the publisher");
      const bad = await decodedFrames(server.rtmp("/live/cam?token=bad"), { frames: 30, timeoutMs: 10_000 });
      assert.equal(bad.frames, 0, "a bad token is refused");
      const withoutToken = asked.filter((a) => !a.includes("token="));
      assert.deepEqual(withoutToken, [], "every callback carried a client's token");
      // Hooks: one publish (the relay's copy on the other worker raises none), a play per player
      // admitted and none for the relay, on whichever worker each player was.
      await until(
        "a stop per player",
        15_000,
        () => Promise.resolve(hooks.filter((e) => e.event === "stop").length >= played || undefined),
      );
      assert.equal(
        hooks.filter((e) => e.event === "publish").length,
        1,
        JSON.stringify(hooks.map((e) => e.event)),
      );
      assert.equal(hooks.filter((e) => e.event === "play").length, played);
      assert.ok(!hooks.some((e) => e.protocol === "relay"), "the relay is not a player");
      console.log(
        `workers + auth: ${played} players with a good token decoded 30 frames each (${relayed().length} relay pull(s)), a bad token refused; ${asked.length} callbacks, all with a client's token`,
      );
    } finally {
      await pub.stop();
      await server.stop();
      await auth.shutdown();
    }
  },
});
