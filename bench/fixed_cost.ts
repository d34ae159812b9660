/**
 * `deno task bench:fixed`: what one stream costs a server before any player, side by side. ffmpeg
 * publishes the 600 kbit/s bench source (`-re`) and nothing plays; over a window the bench reads each
 * server's CPU and how often its threads went to sleep and were woken (voluntary context switches,
 * /proc: one per wait for the next bytes). The servers:
 *
 * - `deno-read-floor`: bench/read_floor.ts, a bare Deno TCP server reading ffmpeg's FLV over tcp://
 *   and discarding it: the runtime's own price of receiving the stream, before any server code.
 * - `estuary` (RTMP, no player) and `nginx-rtmp` (when installed), the same stream over RTMP.
 *
 * Rounds alternate the servers (`--rounds`, default 3) so a busy moment hits all of them alike; the
 * table gives each round and the median.
 *
 *   deno task bench:fixed [--rounds 3] [--seconds 20] [--ports 29400]
 */
import { publish, type Source, source } from "./media.ts";
import { nginxAvailable, type Peer, startEstuary, startNginx, waitPort } from "./peers.ts";
import { cpuSeconds, wakeups } from "./proc.ts";
import { arg } from "./args.ts";

const rounds = Number(arg("rounds", "3"));
const seconds = Number(arg("seconds", "20"));
const warmup = 5;
const base = Number(arg("ports", "29400"));

export interface FixedRow {
  server: string;
  round: number;
  cpuS: number;
  wakeupsPerS: number;
  /** The floor's reads per second (its own count). */
  readsPerS?: number;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function measure(pid: number): Promise<{ cpuS: number; wakeupsPerS: number }> {
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const c0 = cpuSeconds(pid), w0 = wakeups(pid), t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c1 = cpuSeconds(pid), w1 = wakeups(pid), s = (performance.now() - t0) / 1000;
  return { cpuS: c1 - c0, wakeupsPerS: (w1 - w0) / s };
}

async function floorRound(src: Source, round: number): Promise<FixedRow> {
  const port = base;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./read_floor.ts", import.meta.url).pathname, "--port", String(port)],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  await waitPort(port, 10000, "read floor");
  const ff = publish(src, `tcp://127.0.0.1:${port}`);
  const t0 = performance.now();
  const m = await measure(child.pid);
  const elapsed = (performance.now() - t0) / 1000;
  ff.kill("SIGTERM");
  await ff.status;
  child.kill("SIGTERM");
  const out = new TextDecoder().decode((await child.output()).stdout).trim();
  const counts = JSON.parse(out.split("\n").pop() || "{}") as { reads?: number };
  return { server: "deno-read-floor", round, ...m, readsPerS: (counts.reads ?? 0) / elapsed };
}

async function serverRound(
  start: () => Promise<Peer>,
  src: Source,
  round: number,
): Promise<FixedRow> {
  const peer = await start();
  const ff = publish(src, peer.rtmpUrl("fixed"));
  try {
    return { server: peer.name, round, ...(await measure(peer.pid)) };
  } finally {
    ff.kill("SIGTERM");
    await ff.status;
    await peer.stop();
  }
}

export function fixedTable(rows: FixedRow[]): string {
  const servers = [...new Set(rows.map((r) => r.server))];
  const lines = [
    `| server | CPU s per ${seconds} s (median) | each round | wake-ups/s (median) | floor reads/s |`,
    "|---|---|---|---|---|",
  ];
  for (const s of servers) {
    const rs = rows.filter((r) => r.server === s);
    const reads = rs.map((r) => r.readsPerS).filter((x): x is number => x !== undefined);
    lines.push(
      `| ${s} | ${median(rs.map((r) => r.cpuS)).toFixed(2)} | ${
        rs.map((r) => r.cpuS.toFixed(2)).join(", ")
      } | ${median(rs.map((r) => r.wakeupsPerS)).toFixed(0)} | ${
        reads.length ? median(reads).toFixed(0) : "-"
      } |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const src = await source("600k");
  const nginx = nginxAvailable();
  if (nginx) console.error(`skipping nginx-rtmp: ${nginx}`);
  const rows: FixedRow[] = [];
  for (let round = 1; round <= rounds; round++) {
    rows.push(await floorRound(src, round));
    rows.push(await serverRound(() => startEstuary({ rtmp: base + 1, http: base + 2 }), src, round));
    if (!nginx) rows.push(await serverRound(() => startNginx({ rtmp: base + 3 }), src, round));
    console.error(
      `round ${round}: ${rows.slice(-3).map((r) => `${r.server} ${r.cpuS.toFixed(2)} s`).join(", ")}`,
    );
  }
  console.log(fixedTable(rows));
}
