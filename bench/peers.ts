/**
 * The servers under test: Estuary itself and, when installed, nginx with libnginx-mod-rtmp (apt) and
 * Node-Media-Server 4.x (npm, installed into .bench/nms on first use). Each gets its own temp dir and
 * loopback ports.
 */
import type { Source } from "./media.ts";
import { terminate } from "../tests/support/tools.ts";

export interface Peer {
  name: string;
  /** Protocols this peer serves in the bench (its latency probe covers rtmp and flv). */
  protocols: ("rtmp" | "flv")[];
  pid: number;
  rtmpUrl(stream: string): string;
  flvUrl(stream: string): string;
  /** WHEP endpoint (Estuary only; "" elsewhere). */
  whepUrl(stream: string): string;
  /** RTSP and SRT play URLs ("" where the peer does not serve them). */
  rtspUrl?(stream: string): string;
  srtUrl?(stream: string): string;
  /** Feeds the peer the source (default: ffmpeg publishing it to `rtmpUrl`). */
  publish?(src: Source): Deno.ChildProcess;
  stop(): Promise<void>;
}

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const NGINX_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

export async function waitPort(port: number, ms: number, what: string) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${ms} ms`);
}

/** Waits until `n` workers have joined (GET /api/workers on the shared HTTP port). */
async function waitWorkers(port: number, n: number, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/workers`);
      const body = await r.json() as { workers?: unknown[] };
      if ((body.workers?.length ?? 0) >= n) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`estuary: ${n} workers did not join within ${ms} ms`);
}

export function spawn(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  const child = new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  return child;
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the server has exited. */
export async function stopChild(child: Deno.ChildProcess) {
  await terminate(child, 5000);
}

/**
 * Estuary from this tree, or from `o.root` (another checkout, e.g. the code before a change), with
 * `o.workers` workers, extra deno arguments in `o.denoArgs` (e.g. --inspect) and extra `ESTUARY_*` settings in `o.env`; `o.name` names it in the results.
 */
export async function startEstuary(
  ports: { rtmp: number; http: number; rtsp?: number; srt?: number },
  o: { root?: string; env?: Record<string, string>; name?: string; workers?: number; denoArgs?: string[] } =
    {},
): Promise<Peer> {
  const workers = o.workers ?? 1;
  const dir = await Deno.makeTempDir({ prefix: "estuary-bench-" });
  // The same V8 flags as `deno task start` (a small young generation keeps RSS per player low).
  const child = spawn(Deno.execPath(), [
    "run",
    "-A",
    "--v8-flags=--max-semi-space-size=2,--heap-growing-percent=25",
    ...(o.denoArgs ?? []),
    `${o.root ?? ROOT}/main.ts`,
    "--root",
    dir,
  ], {
    env: {
      ESTUARY_RTMP_PORT: String(ports.rtmp),
      ESTUARY_HTTP_PORT: String(ports.http),
      ESTUARY_RTMP_IP: "127.0.0.1",
      ESTUARY_HTTP_IP: "127.0.0.1",
      // RTSP and SRT only for their levels (ports.rtsp, ports.srt).
      ESTUARY_RTSP_ENABLE: String(ports.rtsp !== undefined),
      ESTUARY_SRT_ENABLE: String(ports.srt !== undefined),
      ...(ports.rtsp !== undefined
        ? { ESTUARY_RTSP_PORT: String(ports.rtsp), ESTUARY_RTSP_IP: "127.0.0.1" }
        : {}),
      ...(ports.srt !== undefined
        ? { ESTUARY_SRT_PORT: String(ports.srt), ESTUARY_SRT_IP: "127.0.0.1" }
        : {}),
      ESTUARY_RTMP_MAXIDLE: "0",
      // Every bench player comes from 127.0.0.1: HTTP's and SRT's per-address limits (1,000 by default)
      // would cut the 2,000-player levels (RTMP and RTSP share <sock>'s 4,096); totals stay at their defaults.
      ESTUARY_HTTP_MAXCONNSPERIP: "100000",
      ESTUARY_SRT_MAXCONNSPERIP: "100000",
      ESTUARY_LOG_LEVEL: "warn",
      ESTUARY_LOG_FILE: "false",
      RUST_BACKTRACE: "0",
      // ESTUARY_* set when running the bench reach the server too (e.g. ESTUARY_RTMP_BATCHMS=50).
      ...Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([k]) => k.startsWith("ESTUARY_"))),
      // <workers>: the supervisor and its workers are one process tree, measured together.
      ESTUARY_WORKERS: String(workers),
      ...o.env,
    },
  });
  // Workers start after the supervisor: wait for every one of them to listen.
  await waitPort(ports.rtmp, 40000, "estuary rtmp");
  await waitPort(ports.http, 40000, "estuary http");
  if (ports.rtsp !== undefined) await waitPort(ports.rtsp, 40000, "estuary rtsp");
  if (workers > 1) await waitWorkers(ports.http, workers, 60000);
  return {
    name: o.name ?? (workers > 1 ? `estuary-${workers}w` : "estuary"),
    protocols: ["rtmp", "flv"],
    pid: child.pid,
    rtmpUrl: (s) => `rtmp://127.0.0.1:${ports.rtmp}/live/${s}`,
    flvUrl: (s) => `http://127.0.0.1:${ports.http}/live/${s}.flv`,
    whepUrl: (s) => `http://127.0.0.1:${ports.http}/whep/v1?app=live&name=${s}`,
    rtspUrl: (s) => ports.rtsp !== undefined ? `rtsp://127.0.0.1:${ports.rtsp}/live/${s}` : "",
    srtUrl: (s) => ports.srt !== undefined ? `srt://127.0.0.1:${ports.srt}?streamid=${srtStreamId(s)}` : "",
    stop: async () => {
      await stopChild(child);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** The SRT stream id of a player of live/<stream> (smart_rtmpd's and Estuary's access control syntax). */
export const srtStreamId = (s: string) => encodeURIComponent(`#!::r=live/${s},m=request`);

export function nginxAvailable(): string | null {
  try {
    Deno.statSync("/usr/sbin/nginx");
    Deno.statSync(NGINX_MODULE);
    return null;
  } catch {
    return "nginx-rtmp not installed (apt-get install nginx libnginx-mod-rtmp)";
  }
}

/**
 * nginx-rtmp with one worker. With `hls`, nginx-rtmp also cuts HLS (`hls on`) into a temp dir and
 * nginx's own HTTP server sends those files (sendfile) on `ports.http`: the peer of the HLS levels.
 */
export async function startNginx(
  ports: { rtmp: number; http?: number },
  hls?: { segmentS: number },
): Promise<Peer> {
  const dir = await Deno.makeTempDir({ prefix: "nginx-bench-" });
  let live = "live on;";
  let http = "";
  if (hls && ports.http) {
    await Deno.mkdir(`${dir}/hls/live`, { recursive: true });
    // nginx's workers drop to an unprivileged user when started as root: they write and read here.
    for (const d of [dir, `${dir}/hls`]) await Deno.chmod(d, 0o755);
    await Deno.chmod(`${dir}/hls/live`, 0o777);
    live = `live on;
      hls on;
      hls_path ${dir}/hls/live;
      hls_fragment ${hls.segmentS}s;
      hls_playlist_length ${3 * hls.segmentS}s;`;
    http = `http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  server {
    listen 127.0.0.1:${ports.http};
    location /live/ { root ${dir}/hls; add_header Cache-Control no-cache; }
  }
}
`;
  }
  // One worker: the same single core Estuary's event loop gets.
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 20000;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
load_module ${NGINX_MODULE};
events { worker_connections 10000; }
rtmp {
  server {
    listen 127.0.0.1:${ports.rtmp};
    chunk_size 4096;
    application live { ${live} }
  }
}
${http}`,
  );
  const child = spawn("/usr/sbin/nginx", ["-p", dir, "-c", `${dir}/nginx.conf`]);
  await waitPort(ports.rtmp, 10000, "nginx-rtmp");
  if (http) await waitPort(ports.http!, 10000, "nginx http");
  return {
    name: "nginx-rtmp",
    protocols: ["rtmp"],
    pid: child.pid,
    rtmpUrl: (s) => `rtmp://127.0.0.1:${ports.rtmp}/live/${s}`,
    // The HLS levels derive the playlist's URL from this one.
    flvUrl: (s) => http ? `http://127.0.0.1:${ports.http}/live/${s}.flv` : "",
    whepUrl: () => "",
    stop: async () => {
      await stopChild(child);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

const NMS_DIR = `${ROOT}/.bench/nms`;
const NMS_VERSION = "4.4.3";

/** Installs Node-Media-Server from npm into .bench/nms (not committed). Returns an error text or null. */
export async function ensureNms(): Promise<string | null> {
  try {
    Deno.statSync(`${NMS_DIR}/node_modules/node-media-server/bin/app.js`);
    return null;
  } catch { /* install */ }
  await Deno.mkdir(NMS_DIR, { recursive: true });
  const r = await new Deno.Command("npm", {
    args: ["install", "--prefix", NMS_DIR, `node-media-server@${NMS_VERSION}`, "--no-audit", "--no-fund"],
    stdout: "null",
    stderr: "piped",
  }).output().catch((e) => ({ success: false, stderr: new TextEncoder().encode(String(e)) }));
  if (!r.success) {
    return `npm install node-media-server@${NMS_VERSION} failed: ${
      new TextDecoder().decode(r.stderr).slice(-300)
    }`;
  }
  return null;
}

export async function startNms(ports: { rtmp: number; http: number }): Promise<Peer> {
  const dir = await Deno.makeTempDir({ prefix: "nms-bench-" });
  const child = spawn("node", [
    `${NMS_DIR}/node_modules/node-media-server/bin/app.js`,
    "--bind",
    "127.0.0.1",
    "--rtmp-port",
    String(ports.rtmp),
    "--http-port",
    String(ports.http),
    "--rtmps-port",
    String(ports.rtmp + 1),
    "--https-port",
    String(ports.http + 1),
    "--data-path",
    `${dir}/data`,
    "--record-path",
    `${dir}/record`,
    "--no-admin",
  ], { cwd: dir });
  await waitPort(ports.rtmp, 15000, "node-media-server rtmp");
  await waitPort(ports.http, 15000, "node-media-server http");
  return {
    name: "node-media-server",
    protocols: ["rtmp", "flv"],
    pid: child.pid,
    rtmpUrl: (s) => `rtmp://127.0.0.1:${ports.rtmp}/live/${s}`,
    flvUrl: (s) => `http://127.0.0.1:${ports.http}/live/${s}.flv`,
    whepUrl: () => "",
    stop: async () => {
      await stopChild(child);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
