/**
 * Running out of file descriptors: the whole server in a child process with a soft limit of 256,
 * then 1,000 TCP connections to its RTMP and RTSP ports held open (and the acceptance case: a
 * limit of 1024 and 3,000 connections across the RTMP, RTSP and HTTP ports). The server stays up, an RTMP
 * player it already serves keeps decoding, the accept loops do not spin (child CPU over 3 s), the
 * log stays short, and the child's open descriptors return to their baseline once the clients go.
 * Once with the descriptor reserve (the default: refused at accept) and once without it (accept
 * itself fails with EMFILE and backs off).
 */
import assert from "node:assert/strict";
import {
  decodedFrames,
  ffmpegPublish,
  H264B,
  requireTool,
  type RunningServer,
  startEstuary,
} from "./support/mod.ts";

/** A connection the kernel neither completes nor refuses (a full accept queue) is given up after this. */
const CONNECT_GIVE_UP_MS = 5000;
const TICKS_PER_S = 100; // USER_HZ on Linux

function openFds(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

/** User + system CPU time of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // utime, stime (fields 14, 15)
}

async function waitUntil(fn: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

interface Storm {
  limit: number;
  attempts: number;
  /** Services whose ports the attempts are spread over, in turn. */
  ports: string[];
  fdreserve: string;
  /** A warning the storm must log. */
  expect: RegExp;
}

function connectOrGiveUp(port: number, held: Deno.Conn[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A late connection still lands in `held`, so the finally block closes it.
  const attempt = Deno.connect({ hostname: "127.0.0.1", port }).then((c) => {
    held.push(c);
  }, () => {});
  return Promise.race([attempt, new Promise<void>((r) => timer = setTimeout(r, CONNECT_GIVE_UP_MS))])
    .finally(() => clearTimeout(timer));
}

async function storm({ limit, attempts, ports: services, fdreserve, expect }: Storm) {
  requireTool("prlimit");
  requireTool("ffmpeg");
  const es: RunningServer = await startEstuary({
    wrap: ["prlimit", `--nofile=${limit}:${limit}`, "--"],
    services: ["rtmp", "rtsp", "http"],
    env: { ESTUARY_SOCK_FDRESERVE: fdreserve, ESTUARY_SRT_ENABLE: "false" },
  });
  const pid = es.child.pid;
  const held: Deno.Conn[] = [];
  const pub = ffmpegPublish({
    url: es.rtmp("/live/fd"),
    format: "flv",
    seconds: 40,
    video: H264B,
    audio: [],
  });
  try {
    assert.ok(
      es.lines.some((l) => l.includes("fd limit") && l.includes(`soft=${limit}`)),
      `the limit is logged at start:\n${es.lines.slice(0, 20).join("\n")}`,
    );
    await new Promise((r) => setTimeout(r, 3000)); // the publisher is up
    const player = decodedFrames(es.rtmp("/live/fd"), {
      timeoutMs: 30_000,
      frames: 600, // 20 s at 30 fps: it must keep decoding through the storm and after it
      inputArgs: ["-rw_timeout", "5000000"],
    });
    await new Promise((r) => setTimeout(r, 2000));
    const baseline = openFds(pid);
    const linesBefore = es.lines.length;

    const ports = services.map((s) => es.ports[s]);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: attempts }, (_, i) => connectOrGiveUp(ports[i % ports.length], held)),
    );
    const stormSeconds = (performance.now() - t0) / 1000 + 4;
    await new Promise((r) => setTimeout(r, 1000));
    const cpu0 = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 3000));
    const cpu = cpuSeconds(pid) - cpu0;
    const stormLines = es.lines.slice(linesBefore);
    const fdsDuring = openFds(pid);

    for (const c of held.splice(0)) c.close();
    const recovered = await waitUntil(() => openFds(pid) <= baseline + 2, 20_000);
    const { frames, stderr } = await player;

    assert.equal(await Promise.race([es.child.status.then(() => "exited"), Promise.resolve("up")]), "up");
    assert.ok(cpu < 1, `the child used ${cpu.toFixed(2)} s of CPU in 3 s while held at its limit`);
    assert.ok(fdsDuring <= limit, `${fdsDuring} descriptors open (limit ${limit})`);
    // Each accepted connection logs its start (bounded by the limit); refusals and accept errors
    // log one line a second at most per listener, however many attempts there are.
    const warns = stormLines.filter((l) => / WARN /.test(l));
    const maxWarns = Math.max(12, Math.ceil(2 * services.length * stormSeconds));
    assert.ok(
      warns.length <= maxWarns,
      `${warns.length} warnings (at most ${maxWarns}) during the storm:\n${warns.slice(-20).join("\n")}`,
    );
    assert.ok(warns.some((l) => expect.test(l)), `a ${expect} line:\n${warns.join("\n")}`);
    assert.ok(stormLines.length < 2 * limit, `${stormLines.length} log lines during the storm`);
    assert.ok(recovered, `descriptors back to ${baseline}: now ${openFds(pid)}`);
    assert.ok(frames >= 540, `the player kept decoding: ${frames} of 600 frames (${stderr.slice(-300)})`);
    // The server still takes new clients after the storm.
    const after = await decodedFrames(es.rtmp("/live/fd"), {
      timeoutMs: 10_000,
      frames: 30,
      inputArgs: ["-rw_timeout", "5000000"],
    });
    assert.equal(after.frames, 30, "a new player after the storm");
  } finally {
    for (const c of held) c.close();
    await pub.stop();
    await es.stop();
    await Deno.remove(es.root, { recursive: true }).catch(() => {});
  }
}

const REFUSED = /connection refused .*kept free \(fdreserve\)/;
const EMFILE = /accept failed .*(Too many open files|EMFILE)/;

Deno.test("fd limit 256, 1,000 connections: refused within the reserve; the server stays up and serving", async () => {
  await storm({ limit: 256, attempts: 1000, ports: ["rtmp", "rtsp"], fdreserve: "64", expect: REFUSED });
});

Deno.test("fd limit 256, 1,000 connections, no reserve: accept hits EMFILE, backs off, and recovers", async () => {
  await storm({ limit: 256, attempts: 1000, ports: ["rtmp", "rtsp"], fdreserve: "0", expect: EMFILE });
});

Deno.test("fd limit 1024, 3,000 connections across RTMP, RTSP and HTTP: up, serving, back to baseline", async () => {
  await storm({
    limit: 1024,
    attempts: 3000,
    ports: ["rtmp", "rtsp", "http"],
    fdreserve: "64",
    // The HTTP front admits through the same guard and budget: refused within the reserve too.
    expect: /http connection refused .*kept free \(fdreserve\)/,
  });
});
