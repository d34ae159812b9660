/**
 * Soak: the real server (main.ts) in a child process on 127.0.0.1, 500 players across RTMP, HTTP-FLV,
 * HLS, RTSP and SRT with churn, a publisher killed and restarted every few minutes and a recording
 * running, for N minutes. Samples the server's RSS, open fds and CPU every minute and judges growth.
 * The V8 heap in use and the external (ArrayBuffer) memory come from the server's /metrics and are reported beside
 * RSS, which is read every 5 s: a row shows the minute's median (the verdict's input) and range.
 * Usage: deno task soak [--minutes N] [--without KINDS]   (60 minutes by default)
 *   --without rec,srt,…  leaves out the recording publisher and/or players of those kinds (to find which
 *                        part of the mix a memory change follows)
 */
import { publish, source } from "./media.ts";
import { flvPlayer, type PlayerStats, rtmpPlayer } from "./players.ts";
import { hlsPoller, srtPlayer } from "./soak_players.ts";
import { PacketStats, rtspTcpPlayer } from "./packet_players.ts";
import {
  cpuSecondsOf,
  fdsOf,
  header,
  heapLine,
  median,
  memoryOf,
  row,
  RSS_EVERY_MS,
  rssOf,
  type Sample,
  trimLine,
  verdict,
} from "./soak_report.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const i = Deno.args.indexOf("--minutes");
const MINUTES = i >= 0 ? Number(Deno.args[i + 1]) : 60;
if (!Number.isFinite(MINUTES) || MINUTES < 3 || MINUTES > 24 * 60) {
  console.error(`--minutes ${Deno.args[i + 1]}: must be a number from 3 to 1440`);
  Deno.exit(2);
}
const WARMUP = Math.min(10, Math.floor(MINUTES / 3));
/** Players per protocol: 500 in all, held at this count by the churn. */
const FULL_MIX = { rtmp: 200, flv: 200, hls: 50, rtsp: 40, srt: 10 } as const;
type Kind = keyof typeof FULL_MIX;
const w = Deno.args.indexOf("--without");
const WITHOUT = new Set(w >= 0 ? Deno.args[w + 1].split(",") : []);
for (const k of WITHOUT) {
  if (k !== "rec" && !(k in FULL_MIX)) {
    console.error(`--without ${k}: must be rec or a player kind (${Object.keys(FULL_MIX).join(", ")})`);
    Deno.exit(2);
  }
}
const MIX = Object.fromEntries(
  Object.entries(FULL_MIX).map(([k, n]) => [k, WITHOUT.has(k) ? 0 : n]),
) as Record<Kind, number>;
/** Players replaced every second on top of those that ended by themselves. */
const CHURN_PER_S = 5;
const PUBLISHER_RESTART_S = 180;

const children = new Set<Deno.ChildProcess>();
const root = await Deno.makeTempDir({ prefix: "estuary-soak-" });
function freeTcpPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function freeUdpPort(): number {
  const l = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitPort(port: number, ms: number) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch (err) {
      if (Date.now() > end) throw new Error(`the server did not open port ${port}: ${err}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const ports = { rtmp: freeTcpPort(), http: freeTcpPort(), rtsp: freeTcpPort(), srt: freeUdpPort() };
const log = await Deno.open(`${root}/server.log`, { create: true, write: true });
const server = new Deno.Command(Deno.execPath(), {
  // The same V8 flags as `deno task start`.
  args: [
    "run",
    "-A",
    "--v8-flags=--max-semi-space-size=2,--heap-growing-percent=25",
    `${ROOT}main.ts`,
    "--root",
    root,
  ],
  env: {
    ESTUARY_RTMP_PORT: String(ports.rtmp),
    ESTUARY_HTTP_PORT: String(ports.http),
    ESTUARY_RTSP_PORT: String(ports.rtsp),
    ESTUARY_SRT_PORT: String(ports.srt),
    ESTUARY_RTMP_SPORT: "0",
    ESTUARY_HTTP_SPORT: "0",
    ESTUARY_RTSP_SPORT: "0",
    ESTUARY_RTMP_IP: "127.0.0.1",
    ESTUARY_HTTP_IP: "127.0.0.1",
    ESTUARY_RTSP_IP: "127.0.0.1",
    ESTUARY_SRT_IP: "127.0.0.1",
    ESTUARY_RTMP_REC: "rec",
    ESTUARY_LOG_LEVEL: "warn",
    ESTUARY_LOG_FILE: "false",
    RUST_BACKTRACE: "0",
    NO_COLOR: "1",
  },
  stdin: "null",
  stdout: "piped",
  stderr: "piped",
}).spawn();
const pid = server.pid;

function killAll() {
  for (const c of [...children, server]) {
    try {
      c.kill("SIGKILL");
    } catch { /* gone */ }
  }
  try {
    Deno.removeSync(root, { recursive: true });
  } catch { /* already gone */ }
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(sig, () => {
    console.error(`\n${sig}: stopping every child`);
    killAll();
    Deno.exit(130);
  });
}

// Both streams into one file (a pipe left unread would block the server once it fills).
const logWriter = (async () => {
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) await log.write(chunk);
  };
  await Promise.all([pump(server.stdout), pump(server.stderr)]);
})();
await waitPort(ports.rtmp, 30_000);
await waitPort(ports.http, 30_000);
await waitPort(ports.rtsp, 30_000);
const fdsIdle = fdsOf(pid);

const src = await source("600k");
const rtmpBase = `rtmp://127.0.0.1:${ports.rtmp}`;
let livePub = publish(src, `${rtmpBase}/live/soak`);
children.add(livePub);
if (!WITHOUT.has("rec")) children.add(publish(src, `${rtmpBase}/rec/soak`));
await new Promise((r) => setTimeout(r, 4000)); // the first HLS segments exist

const urls = {
  rtmp: new URL(`${rtmpBase}/live/soak`),
  flv: new URL(`http://127.0.0.1:${ports.http}/live/soak.flv`),
  hls: new URL(`http://127.0.0.1:${ports.http}/live/soak.m3u8`),
  rtsp: new URL(`rtsp://127.0.0.1:${ports.rtsp}/live/soak`),
  srt: `srt://127.0.0.1:${ports.srt}?streamid=#!::r=live/soak,m=request`,
};

interface Player {
  kind: Kind;
  stats: PlayerStats;
  ac: AbortController;
  done: Promise<void>;
}
const players: Player[] = [];
let churned = 0, errors = 0;

function start(kind: Kind): Player {
  // PacketStats (a PlayerStats) for every kind: the RTSP players are the bench's, which count packets too.
  const stats = new PacketStats();
  const ac = new AbortController();
  const done = kind === "rtmp"
    ? rtmpPlayer(urls.rtmp, stats, ac.signal)
    : kind === "flv"
    ? flvPlayer(urls.flv, stats, ac.signal)
    : kind === "hls"
    ? hlsPoller(urls.hls, stats, ac.signal)
    : kind === "rtsp"
    ? rtspTcpPlayer(urls.rtsp, stats, ac.signal)
    : srtPlayer(urls.srt, 30 + Math.floor(Math.random() * 60), stats, ac.signal, children);
  return { kind, stats, ac, done };
}

let n = 0;
for (const kind of Object.keys(MIX) as Kind[]) {
  for (let k = 0; k < MIX[kind]; k++) {
    players.push(start(kind));
    if (++n % 50 === 0) await new Promise((r) => setTimeout(r, 50)); // ramp: spare the accept queue
  }
}

/** Every second: replace the players that ended, then CHURN_PER_S random ones (leave, and join anew). */
const churn = setInterval(() => {
  for (let k = 0; k < players.length; k++) {
    if (players[k].stats.closed) {
      if (players[k].stats.error) errors++;
      players[k] = start(players[k].kind);
      churned++;
    }
  }
  for (let k = 0; k < CHURN_PER_S; k++) {
    const j = Math.floor(Math.random() * players.length);
    players[j].ac.abort();
    players[j] = start(players[j].kind);
    churned++;
  }
}, 1000);

/**
 * The live publisher drops (SIGKILL, as a crashed encoder or a cut link) and comes back. Its players
 * are cut with it and replaced within a second, so the restarts run half a minute out of phase with the
 * per-minute samples: a sample never lands in that second.
 */
let restarts: ReturnType<typeof setInterval> | undefined;
const restartPhase = setTimeout(
  () => restarts = setInterval(restartPublisher, PUBLISHER_RESTART_S * 1000),
  30_000,
);
async function restartPublisher() {
  const old = livePub;
  try {
    old.kill("SIGKILL");
  } catch { /* gone */ }
  await old.status;
  children.delete(old);
  livePub = publish(src, `${rtmpBase}/live/soak`);
  children.add(livePub);
}

console.log(
  `soak: ${MINUTES} min, warm-up ${WARMUP} min, ${players.length} players ` +
    `(${Object.entries(MIX).map(([k, v]) => `${k} ${v}`).join(", ")}), churn ${CHURN_PER_S}/s + ended, ` +
    `live publisher restarted every ${PUBLISHER_RESTART_S} s (at m:30), ${
      WITHOUT.has("rec") ? "no recording" : "recording rec/soak"
    }; server pid ${pid}, ` +
    `root ${root}; fds with no player: ${fdsIdle}. RSS is read every ${
      RSS_EVERY_MS / 1000
    } s; a row shows the minute's median and range.`,
);
console.log(header());
const samples: Sample[] = [];
let cpuPrev = cpuSecondsOf(pid), tPrev = performance.now();
let serverDied = false;
server.status.then(() => serverDied = true);
for (let minute = 0; minute <= MINUTES; minute++) {
  const readings = [rssOf(pid)];
  if (minute > 0) {
    for (let waited = 0; waited < 60_000 && !serverDied; waited += RSS_EVERY_MS) {
      await new Promise((r) => setTimeout(r, RSS_EVERY_MS));
      if (!serverDied) readings.push(rssOf(pid));
    }
  }
  if (serverDied) break;
  const cpu = cpuSecondsOf(pid), t = performance.now();
  const s: Sample = {
    minute,
    rss: median(readings),
    rssMin: Math.min(...readings),
    rssMax: Math.max(...readings),
    ...await memoryOf(`http://127.0.0.1:${ports.http}/metrics`),
    fds: fdsOf(pid),
    cpu: minute === 0 ? 0 : ((cpu - cpuPrev) / ((t - tPrev) / 1000)) * 100,
    players: players.filter((p) => !p.stats.closed).length,
    playing: players.filter((p) => !p.stats.closed && p.stats.started).length,
    churned,
    errors,
  };
  cpuPrev = cpu;
  tPrev = t;
  churned = 0;
  errors = 0;
  samples.push(s);
  console.log(row(s));
}

clearInterval(churn);
clearTimeout(restartPhase);
clearInterval(restarts);
for (const p of players) p.ac.abort();
await Promise.allSettled(players.map((p) => p.done));
for (const c of [...children]) {
  try {
    c.kill("SIGKILL");
  } catch { /* gone */ }
}
await new Promise((r) => setTimeout(r, 5000));
const fdsAfter = serverDied ? -1 : fdsOf(pid);
// The HLS pollers' fetch client keeps its idle keep-alive connections after an abort; the server
// closes them at <http><idletimeout> (30 s by default). Count again once that has passed.
await new Promise((r) => setTimeout(r, 30_000));
const fdsLater = serverDied ? -1 : fdsOf(pid);

console.log(`\n${header()}\n${samples.map(row).join("\n")}\n`);
const v = serverDied
  ? { pass: false, lines: ["the server exited during the soak", "verdict: FAIL"] }
  : verdict(samples, WARMUP);
console.log(
  `fds with no player: ${fdsIdle} before, ${fdsAfter} 5 s after every player and publisher left, ` +
    `${fdsLater} 35 s after (past the HTTP keep-alive deadline)`,
);
const heap = heapLine(samples, WARMUP);
if (heap) console.log(heap);
const trims = await trimLine(`http://127.0.0.1:${ports.http}/metrics`);
if (trims) console.log(trims);
for (const l of v.lines) console.log(l);

try {
  server.kill("SIGTERM");
} catch { /* gone */ }
const killer = setTimeout(() => server.kill("SIGKILL"), 5000);
await server.status;
clearTimeout(killer);
await logWriter.catch(() => {});
log.close();
await Deno.remove(root, { recursive: true }).catch(() => {});
Deno.exit(v.pass ? 0 : 1);
