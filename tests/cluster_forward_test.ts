/**
 * Forwarding per policy.xml with real third parties: an app forward into nginx-rtmp (ffmpeg plays from
 * nginx) that survives nginx restarting, a url forward with rewrite into a second Estuary (plain and
 * RTMPS with a self-signed certificate as <ssl><clientca>), RTSP- and SRT-published streams forwarded
 * (HEVC over Enhanced RTMP to an Estuary target), and a loop A ↔ B refused.
 */
import assert from "node:assert/strict";
import { type ForwardInfo, type ForwardsStats, WRITE_STALL_MS } from "../src/cluster/mod.ts";
import {
  AAC,
  decodedFrames,
  ffmpegPublish,
  H264B,
  H265,
  requireTool,
  startNginxRtmp,
  startTcpRelay,
  startTestServer,
  type TestServer,
  waitFor,
  waitLive,
} from "./support/mod.ts";

const RW = ["-rw_timeout", "5000000"];

const vhostPolicy = (name: string, target: string, rewrite = "") =>
  `<policy><vhosts><vhost name="${name}"><forward rewrite="${rewrite}">${target}</forward></vhost></vhosts></policy>`;
const urlPolicy = (rules: { name: string; target: string; rewrite: string }[]) =>
  `<policy><urls>${
    rules.map((r) => `<url name="${r.name}"><forward rewrite="${r.rewrite}">${r.target}</forward></url>`)
      .join("")
  }</urls></policy>`;

function forwards(ts: TestServer): ForwardInfo[] {
  return ts.server.service("cluster") ? ts.stats<ForwardsStats>("cluster").forwards : [];
}

function forwardIn(ts: TestServer, state: string, key?: string): Promise<ForwardInfo> {
  return waitFor(
    () => forwards(ts).find((f) => f.state === state && (!key || f.key === key)),
    20_000,
    `a forward ${key ?? ""} ${state}`,
  );
}

async function apiForwards(ts: TestServer, key: string): Promise<ForwardInfo[]> {
  const [app, name] = key.split("/");
  const r = await fetch(ts.http(`/api/live?app=${app}&name=${name}`));
  const body = await r.json();
  return body.forwards ?? [];
}

Deno.test("app forward into nginx-rtmp: ffmpeg plays from nginx; nginx restarts → resumes; rule removed → stops", async () => {
  requireTool("ffmpeg");
  const nginx = await startNginxRtmp();
  const ts = await startTestServer({ cluster: { reconnect: 1 } }, {
    policy: vhostPolicy("rtmp://127.0.0.1/live", `127.0.0.1:${nginx.port}`),
  });
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/app1"),
    format: "flv",
    seconds: 60,
    video: H264B,
    audio: AAC,
  });
  try {
    // Forward start: publish → playable at the target (a player that joined nginx before).
    const player = decodedFrames(nginx.rtmp("/live/app1"), { frames: 30, timeoutMs: 30_000, inputArgs: RW });
    await waitLive(ts.hub, "live/app1");
    const t0 = performance.now();
    const fwd = await forwardIn(ts, "forwarding", "live/app1");
    const tForwarding = performance.now() - t0;
    const played = await player;
    const tPlayable = performance.now() - t0;
    assert.ok(played.frames >= 30, `ffmpeg decoded ${played.frames} frames from nginx: ${played.stderr}`);
    assert.equal(fwd.url, "rtmp://127.0.0.1/live/app1");
    assert.equal(fwd.target, `127.0.0.1:${nginx.port}`);

    const api = await apiForwards(ts, "live/app1");
    assert.equal(api.length, 1);
    assert.equal(api[0].state, "forwarding");
    assert.ok(api[0].bytes > 50_000, `bytes sent ${api[0].bytes}`);
    const metrics = await (await fetch(ts.http("/metrics"))).text();
    assert.match(metrics, /^estuary_forwards\{state="forwarding"\} 1$/m);
    assert.match(metrics, /^estuary_forward_bytes_sent_total [1-9]\d*$/m);

    // The target restarts: retried every second, one log line per state change.
    await nginx.stop();
    await forwardIn(ts, "retrying", "live/app1");
    await new Promise((r) => setTimeout(r, 2500));
    await nginx.start();
    const t1 = performance.now();
    const back = await forwardIn(ts, "forwarding", "live/app1");
    const tResumed = performance.now() - t1;
    assert.ok(tResumed <= 1000 + 5000, `resumed after ${tResumed} ms: must be within reconnect + 5 s`);
    assert.ok(back.reconnects >= 2, `reconnects ${back.reconnects}`);
    const again = await decodedFrames(nginx.rtmp("/live/app1"), {
      frames: 30,
      timeoutMs: 20_000,
      inputArgs: RW,
    });
    const tReplayable = performance.now() - t1;
    assert.ok(again.frames >= 30, `after the restart ffmpeg decoded ${again.frames} frames: ${again.stderr}`);
    const retryLines = ts.lines.filter((l) => l.includes("forward retrying") && l.includes("live/app1"));
    assert.equal(retryLines.length, 1, retryLines.join("\n"));

    // A reload without the rule stops the forward; the stream goes on.
    await ts.reload({}, "<policy/>");
    assert.deepEqual(forwards(ts), []);
    assert.ok(ts.lines.some((l) => l.includes("forward stopped")), "a stop line");
    assert.ok(ts.hub.get("live/app1"), "the stream is still live");
    console.log(
      `forward to nginx-rtmp: publish → forwarding ${
        tForwarding.toFixed(0)
      } ms, → 30 frames decoded at nginx ` +
        "(a player already waiting there) " +
        `${tPlayable.toFixed(0)} ms; nginx restart → forwarding ${tResumed.toFixed(0)} ms (reconnect 1 s), ` +
        `→ 30 frames decoded ${tReplayable.toFixed(0)} ms`,
    );
  } finally {
    await pub.stop();
    await ts.close();
    await nginx.close();
  }
});

Deno.test("url forward with rewrite into a second Estuary, over RTMP and RTMPS (clientca = its self-signed cert)", async () => {
  requireTool("ffmpeg");
  const b = await startTestServer({}, { tls: true });
  const a = await startTestServer({ ssl: { clientca: b.cert!.certFile } }, {
    policy: urlPolicy([
      {
        name: "rtmp://127.0.0.1/live/src",
        target: `127.0.0.1:${b.port("rtmp")}`,
        rewrite: "rtmp://b.example/live/dst",
      },
      {
        name: "rtmp://127.0.0.1/live/src",
        target: `127.0.0.1:${b.port("rtmps")}`,
        rewrite: "rtmps://b.example/live/dsts",
      },
    ]),
  });
  const pub = ffmpegPublish({
    url: a.rtmp("/live/src"),
    format: "flv",
    seconds: 30,
    video: H264B,
    audio: AAC,
  });
  try {
    await waitLive(a.hub, "live/src");
    const t0 = performance.now();
    const [plain, tls] = await Promise.all(["live/dst", "live/dsts"].map((k) => waitLive(b.hub, k)));
    const tLive = performance.now() - t0;
    const [p1, p2] = await Promise.all(
      ["/live/dst", "/live/dsts"].map((p) =>
        decodedFrames(b.rtmp(p), { frames: 30, timeoutMs: 20_000, inputArgs: RW })
      ),
    );
    const tPlayed = performance.now() - t0;
    assert.ok(
      p1.frames >= 30 && p2.frames >= 30,
      `decoded ${p1.frames} / ${p2.frames}: ${p1.stderr}${p2.stderr}`,
    );
    // The rewrite is what the target was told; the chain names the sending server.
    assert.equal(plain.vhost, "b.example");
    assert.deepEqual(plain.info.via, [a.hub.serverId]);
    assert.deepEqual(tls.info.via, [a.hub.serverId]);
    const f = forwards(a);
    assert.deepEqual(f.map((x) => [x.url, x.tls, x.state]).sort(), [
      ["rtmp://b.example/live/dst", false, "forwarding"],
      ["rtmps://b.example/live/dsts", true, "forwarding"],
    ]);
    console.log(
      `url forward into Estuary: publish → live at the target ${tLive.toFixed(0)} ms (RTMP and RTMPS), ` +
        `→ 30 frames decoded from both ${tPlayed.toFixed(0)} ms`,
    );
  } finally {
    await pub.stop();
    await a.close();
    await b.close();
  }
});

Deno.test("RTSP- and SRT-published streams are forwarded (SRT's HEVC over Enhanced RTMP to an Estuary target)", async () => {
  requireTool("ffmpeg");
  const b = await startTestServer();
  const a = await startTestServer({}, {
    policy: vhostPolicy("rtmp://127.0.0.1/live", `127.0.0.1:${b.port("rtmp")}`),
  });
  const rtsp = ffmpegPublish({
    url: a.rtsp("/live/cam"),
    format: "rtsp",
    seconds: 30,
    size: "320x240",
    video: H264B,
    audio: AAC,
    extra: ["-rtsp_transport", "tcp"],
  });
  const srt = ffmpegPublish({
    url: a.srt("#!::r=live/hevc,m=publish"),
    format: "mpegts",
    seconds: 30,
    size: "320x240",
    video: H265,
    audio: AAC,
  });
  try {
    const cam = await waitLive(b.hub, "live/cam", { timeoutMs: 20_000 });
    const hevc = await waitLive(b.hub, "live/hevc", { timeoutMs: 20_000 });
    assert.equal(cam.videoTrack?.codec, "h264");
    assert.equal(hevc.videoTrack?.codec, "h265");
    assert.equal(hevc.audioTrack?.codec, "aac");
    const [c, h] = await Promise.all([
      decodedFrames(b.rtmp("/live/cam"), { frames: 30, timeoutMs: 20_000, inputArgs: RW }),
      decodedFrames(b.rtsp("/live/hevc"), {
        frames: 30,
        timeoutMs: 20_000,
        inputArgs: ["-rtsp_transport", "tcp"],
      }),
    ]);
    assert.ok(c.frames >= 30, `RTSP-published, played at B over RTMP: ${c.frames} frames: ${c.stderr}`);
    assert.ok(h.frames >= 30, `SRT-published HEVC, played at B over RTSP: ${h.frames} frames: ${h.stderr}`);
    // SRT named no host: the stream is under this server's own host (127.0.0.1 here).
    assert.ok(forwards(a).some((f) => f.key === "live/hevc" && f.url === "rtmp://127.0.0.1/live/hevc"));
  } finally {
    await rtsp.stop();
    await srt.stop();
    await a.close();
    await b.close();
  }
});

Deno.test("HEVC to nginx-rtmp (no Enhanced RTMP): the video is left out with one log line, audio goes on", async () => {
  requireTool("ffmpeg");
  const nginx = await startNginxRtmp();
  const a = await startTestServer({}, {
    policy: vhostPolicy("rtmp://127.0.0.1/live", `127.0.0.1:${nginx.port}`),
  });
  const srt = ffmpegPublish({
    url: a.srt("#!::r=live/hevc2,m=publish"),
    format: "mpegts",
    seconds: 20,
    size: "320x240",
    video: H265,
    audio: AAC,
  });
  try {
    await forwardIn(a, "forwarding", "live/hevc2");
    const f = await waitFor(() => forwards(a).find((x) => x.bytes > 20_000), 15_000, "audio bytes forwarded");
    assert.equal(f.state, "forwarding");
    const left = a.lines.filter((l) => l.includes("forward leaves video out"));
    assert.equal(left.length, 1, left.join("\n"));
    assert.match(left[0], /codec=h265/);
  } finally {
    await srt.stop();
    await a.close();
    await nginx.close();
  }
});

Deno.test("a forward loop A ↔ B is refused, with a log line", async () => {
  requireTool("ffmpeg");
  const b = await startTestServer({ cluster: { reconnect: 1 } });
  const a = await startTestServer({ cluster: { reconnect: 1 } }, {
    policy: vhostPolicy("rtmp://127.0.0.1/live", `127.0.0.1:${b.port("rtmp")}`),
  });
  // B learns its rule by a reload: new rules start forwarding live streams too.
  await b.reload({}, vhostPolicy("rtmp://127.0.0.1/live", `127.0.0.1:${a.port("rtmp")}`));
  const pub = ffmpegPublish({
    url: a.rtmp("/live/ring"),
    format: "flv",
    seconds: 20,
    video: H264B,
    audio: AAC,
  });
  try {
    await forwardIn(a, "forwarding", "live/ring");
    const back = await forwardIn(b, "retrying", "live/ring");
    assert.match(back.error ?? "", /NetStream\.Publish\.BadName/);
    await waitFor(() => a.lines.find((l) => l.includes("forward loop")), 10_000, "A's refusal line");
    const refusal = a.lines.find((l) => l.includes("forward loop"))!;
    assert.match(refusal, new RegExp(`already names this server \\(${a.hub.serverId}\\)`));
    assert.equal(b.hub.get("live/ring")?.info.via?.[0], a.hub.serverId);
    // A's own stream is untouched.
    assert.equal(a.hub.get("live/ring")?.info.from, "rtmp");
    assert.equal(a.hub.get("live/ring")?.info.via?.length ?? 0, 0);
  } finally {
    await pub.stop();
    await a.close();
    await b.close();
  }
});

Deno.test("a target that stops reading is left after WRITE_STALL_MS and retried; the forward resumes", async () => {
  requireTool("ffmpeg");
  // B never drops an idle publisher itself: only the forwarder's own guard may end the connection.
  const b = await startTestServer({ rtmp: { maxidle: 0 } });
  const relay = startTcpRelay({ port: b.port("rtmp") });
  const a = await startTestServer({ cluster: { reconnect: 1 } }, {
    policy: vhostPolicy("rtmp://127.0.0.1/live", `127.0.0.1:${relay.port}`),
  });
  // Lossless x264: a high bitrate fills the socket buffers in seconds.
  const lossless = ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", "-g", "30"];
  const pub = ffmpegPublish({
    url: a.rtmp("/live/stall"),
    format: "flv",
    seconds: 90,
    video: lossless,
    audio: AAC,
  });
  try {
    await forwardIn(a, "forwarding", "live/stall");
    await waitLive(b.hub, "live/stall");
    relay.freeze(true);
    const t0 = performance.now();
    const stalled = await waitFor(
      () => forwards(a).find((f) => f.state === "retrying"),
      WRITE_STALL_MS + 30_000,
      "the stall to be noticed",
    );
    const tStall = performance.now() - t0;
    assert.match(stalled.error ?? "", /took no data for 10 s/);
    relay.freeze(false);
    const t1 = performance.now();
    await forwardIn(a, "forwarding", "live/stall");
    const tBack = performance.now() - t1;
    await waitLive(b.hub, "live/stall");
    console.log(
      `stalled target: noticed ${tStall.toFixed(0)} ms after it stopped reading (buffers fill, then ` +
        `${WRITE_STALL_MS} ms); forwarding again ${tBack.toFixed(0)} ms after it read again`,
    );
  } finally {
    await pub.stop();
    await a.close();
    relay.close();
    await b.close();
  }
});
