/**
 * Static pulls (policy.xml `<pulls>`): streams pulled from gst-rtsp-server (RTSP), nginx-rtmp (RTMP),
 * another Estuary's SRT and HTTP-FLV outputs become local streams that ffmpeg plays; an always-on pull
 * comes back after its source restarts; an on-demand pull starts with its first player and stops
 * after the last one left.
 */
import assert from "node:assert/strict";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  startNginxRtmp,
  startTestServer,
  waitLive,
} from "./support/mod.ts";
import { gstRtspServer } from "./support/gst_rtsp.ts";

requireTool("ffmpeg");

async function until(what: string, ms: number, ok: () => boolean): Promise<number> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - t0;
}

const playersOf = (s: { players: ReadonlyMap<string, number> } | undefined) =>
  s ? [...s.players.values()].reduce((a, b) => a + b, 0) : 0;

Deno.test("static pulls: RTSP (gst-rtsp-server), RTMP (nginx-rtmp), SRT and HTTP-FLV (Estuary) sources play here; a source restart is survived", async () => {
  // The auth callback on the pulling server asks the players, never the pulls (they have no client).
  const asked: string[] = [];
  const auth = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const u = new URL(req.url);
    asked.push(u.pathname + u.search);
    return new Response(null, { status: u.searchParams.get("token") === "good" ? 200 : 403 });
  });
  const gst = await gstRtspServer();
  const nginx = await startNginxRtmp();
  const origin = await startTestServer();
  const pubs = [
    ffmpegPublish({ url: nginx.rtmp("/live/ngx"), format: "flv", seconds: 60, video: H264B, audio: AAC }),
    ffmpegPublish({ url: origin.rtmp("/live/src"), format: "flv", seconds: 60, video: H264B, audio: AAC }),
  ];
  const policy = `<policy><pulls>
    <pull name="live/cam">rtsp://127.0.0.1:${gst.port}/test</pull>
    <pull name="live/ngx">rtmp://127.0.0.1:${nginx.port}/live/ngx</pull>
    <pull name="live/srt">srt://127.0.0.1:${origin.ports.srt}?streamid=#!::r=live/src,m=request</pull>
    <pull name="live/flv">http://127.0.0.1:${origin.ports.http}/live/src.flv</pull>
  </pulls></policy>`;
  const here = await startTestServer({
    cluster: { reconnect: 1 },
    rtmp: { fwdtimeout: 3000 },
    authurl: { host: `127.0.0.1:${auth.addr.port}` },
  }, { policy });
  try {
    await waitLive(origin.hub, "live/src");
    for (const key of ["live/cam", "live/ngx", "live/srt", "live/flv"]) {
      // Pulled, with its video track known (an SRT source announces it with the PMT and first keyframe).
      await until(`${key} pulled`, 20_000, () => here.hub.get(key)?.videoTrack !== undefined);
    }
    const played = await Promise.all(
      ["cam", "ngx", "srt", "flv"].map((n) =>
        decodedFrames(here.rtmp(`/live/${n}?token=good`), { frames: 30, timeoutMs: 20_000 })
      ),
    );
    played.forEach((r, i) =>
      assert.equal(r.frames, 30, `${["cam", "ngx", "srt", "flv"][i]}: ${r.stderr.slice(-300)}`)
    );
    assert.ok(here.lines.some((l) => l.includes("pull pulling") && l.includes("stream=live/cam")));

    // nginx restarts: the always-on pull retries every second and resumes.
    await nginx.stop();
    await until("the pull to notice", 15_000, () => here.hub.get("live/ngx") === undefined);
    await nginx.start();
    pubs.push(
      ffmpegPublish({ url: nginx.rtmp("/live/ngx"), format: "flv", seconds: 30, video: H264B, audio: AAC }),
    );
    const back = await until("the pull to resume", 20_000, () => here.hub.get("live/ngx") !== undefined);
    const again = await decodedFrames(here.rtmp("/live/ngx?token=good"), { frames: 30, timeoutMs: 20_000 });
    assert.equal(again.frames, 30, again.stderr.slice(-300));
    assert.ok(here.lines.some((l) => l.includes("pull retrying") && l.includes("stream=live/ngx")));
    // The state an operator watches: /metrics counts the pulls and the restart, /api/live names the source.
    assert.deepEqual(
      asked.filter((a) => !a.includes("token=")),
      [],
      "the pulls were not sent to the callback",
    );
    const metrics = await (await fetch(here.http("/metrics?token=good"))).text();
    assert.match(metrics, /^estuary_pulls\{state="pulling"\} 4$/m);
    assert.match(metrics, /^estuary_pull_restarts_total [1-9]\d*$/m);
    const live = await (await fetch(here.http("/api/live?app=live&name=ngx&token=good"))).json();
    assert.equal(live.pull.state, "pulling", JSON.stringify(live));
    assert.equal(live.pull.source, `rtmp://127.0.0.1:${nginx.port}/live/ngx`);
    assert.ok(live.pull.restarts >= 1 && live.pull.lastError, JSON.stringify(live.pull));
    console.log(
      `static pulls: four sources playing; the RTMP pull resumed ${back} ms after nginx came back (${live.pull.restarts} restarts, last: ${live.pull.lastError})`,
    );
  } finally {
    for (const p of pubs) await p.stop();
    await here.close();
    await origin.close();
    await nginx.close();
    await gst.stop();
    await auth.shutdown();
  }
});

Deno.test("static pulls: an on-demand pull starts with its first player and stops after the last one left", async () => {
  const origin = await startTestServer();
  const pub = ffmpegPublish({
    url: origin.rtmp("/live/src"),
    format: "flv",
    seconds: 40,
    video: H264B,
    audio: AAC,
  });
  const policy = `<policy><pulls>
    <pull name="live/od" ondemand="true">rtmp://127.0.0.1:${origin.ports.rtmp}/live/src</pull>
  </pulls></policy>`;
  const here = await startTestServer({ cluster: { edgeidle: 2 }, rtmp: { fwdtimeout: 3000 } }, { policy });
  try {
    await waitLive(origin.hub, "live/src");
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(here.hub.get("live/od"), undefined, "nothing pulled before a player asks");
    assert.equal(playersOf(origin.hub.get("live/src")), 0);
    const t0 = performance.now();
    const r = await decodedFrames(here.http("/live/od.flv"), { frames: 60, timeoutMs: 20_000 });
    assert.equal(r.frames, 60, r.stderr.slice(-300));
    const playMs = Math.round(performance.now() - t0);
    const stopMs = await until(
      "the on-demand pull to stop",
      8000,
      () => here.hub.get("live/od") === undefined,
    );
    await until("the origin to lose its player", 5000, () => playersOf(origin.hub.get("live/src")) === 0);
    assert.ok(here.lines.some((l) => l.includes("pull idle") && l.includes("no player")));
    console.log(
      `on-demand pull: 60 frames in ${playMs} ms from the first request; stopped ${stopMs} ms after the player`,
    );
  } finally {
    await pub.stop();
    await here.close();
    await origin.close();
  }
});
