/**
 * `deno task startup`: how fast the server starts and how much memory it holds when idle.
 *
 * Runs the entry point N times, each on a fresh temporary root with the built-in defaults (only the ports
 * are moved to free ones, through ESTUARY_*_PORT, so that a busy 1935/8080 on the machine does not matter),
 * and reports, median and max:
 *   - runtime: process spawn → the runtime's time origin (the deno binary itself; not our code);
 *   - modules: time origin → the first of our modules runs (the static module graph loaded and compiled);
 *   - main: time origin → main() begins (every static module evaluated);
 *   - listening: time origin → every enabled listener accepts (main.ts's "startup" log line);
 *   - accept: spawn → every TCP listener accepts a connection, polled from here (a check of the above);
 *   - CPU: user + system CPU time of the process (all its threads) when the "startup" line is read, which
 *     depends far less than wall time on what else the machine runs;
 *   - RSS (VmRSS of /proc/<pid>/status) and the V8 heap (used and total, from GET /metrics) after the idle
 *     time; RSS is read before the HTTP request.
 *
 *   deno task startup                      10 runs of `deno run` of the server bundle (tools/bundle.ts,
 *                                          what `deno task start` runs) with the compiled flags, 5 s idle
 *   deno task startup --source             the same with main.ts (the sources, as the tests run them)
 *   deno task startup --runs 5 --idle 3
 *   deno task startup --json out.json
 *   deno task startup -- dist/estuary-x86_64-unknown-linux-gnu     any other command (gets --root)
 *
 * One warm-up run (not counted) fills Deno's caches first: the first run of new or changed modules parses
 * them and holds ~40 MB more until it exits (docs/performance.md). Linux only (/proc).
 */
import { median, parseMetric, parseStartupLine, percentile } from "./startup_stats.ts";
import { bundleServer } from "./bundle.ts";
import { BUNDLE_ENTRY } from "../src/cli/program_dir.ts";

/** The flags `deno compile` bakes in (build.ts), with `deno run`'s permissions for what -A allows. */
export const COMPILED_V8_FLAGS = "--v8-flags=--max-semi-space-size=2,--heap-growing-percent=25";

interface Options {
  runs: number;
  idleS: number;
  json?: string;
  cmd: string[];
  /** Run the server bundle (dist/run/main.js, built first), as `deno task start` does. */
  bundle: boolean;
}

function usage(msg: string): never {
  console.error(`startup: ${msg}`);
  console.error(
    "usage: deno task startup [--runs N] [--idle SECONDS] [--json FILE] [--source] [-- COMMAND ARGS…]",
  );
  Deno.exit(2);
}

function parseOptions(argv: string[]): Options {
  const entry = (source: boolean) =>
    new URL(source ? "../main.ts" : `../${BUNDLE_ENTRY}`, import.meta.url).pathname;
  const out: Options = {
    runs: 10,
    idleS: 5,
    cmd: [Deno.execPath(), "run", "--allow-all", "--no-prompt", COMPILED_V8_FLAGS, entry(false)],
    bundle: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (name: string, min: number) => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < min) usage(`${name} must be a number ≥ ${min}, got "${argv[i]}"`);
      return v;
    };
    if (a === "--runs") out.runs = Math.floor(num("--runs", 1));
    else if (a === "--idle") out.idleS = num("--idle", 0);
    else if (a === "--json") out.json = argv[++i] ?? usage("--json needs a file");
    else if (a === "--source") {
      out.cmd = [...out.cmd.slice(0, -1), entry(true)];
      out.bundle = false;
    } else if (a === "--") {
      if (i + 1 >= argv.length) usage("-- needs a command");
      out.cmd = argv.slice(i + 1);
      out.bundle = false;
      break;
    } else usage(`unknown argument "${a}"`);
  }
  return out;
}

function freeTcp(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const p = (l.addr as Deno.NetAddr).port;
  l.close();
  return p;
}

function freeUdp(): number {
  const l = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const p = (l.addr as Deno.NetAddr).port;
  l.close();
  return p;
}

/** Epoch ms with sub-ms precision, comparable with the child's performance.timeOrigin. */
const epochNow = () => performance.timeOrigin + performance.now();

async function accepts(port: number): Promise<boolean> {
  try {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.close();
    return true;
  } catch {
    return false;
  }
}

/** User + system CPU time of a process (all threads), ms; Linux /proc, USER_HZ 100. */
function cpuMs(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) * 1024;
}

export interface Run {
  runtime_ms: number;
  modules_ms: number;
  main_ms: number;
  listening_ms: number;
  accept_ms: number;
  cpu_ms: number;
  rss_mb: number;
  heap_used_mb: number;
  heap_total_mb: number;
}

async function once(cmd: string[], idleS: number): Promise<Run> {
  const root = await Deno.makeTempDir({ prefix: "estuary-startup-" });
  const ports = { rtmp: freeTcp(), rtsp: freeTcp(), http: freeTcp(), srt: freeUdp() };
  const spawnedAt = epochNow();
  const child = new Deno.Command(cmd[0], {
    args: [...cmd.slice(1), "--root", root],
    env: {
      ESTUARY_RTMP_PORT: String(ports.rtmp),
      ESTUARY_RTSP_PORT: String(ports.rtsp),
      ESTUARY_HTTP_PORT: String(ports.http),
      ESTUARY_SRT_PORT: String(ports.srt),
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let startup: ReturnType<typeof parseStartupLine> = null;
  let cpuAtStartup = NaN;
  const reading = (async () => {
    const dec = new TextDecoderStream();
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(dec)) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (!startup && (startup = parseStartupLine(line))) cpuAtStartup = cpuMs(child.pid);
      }
    }
  })();
  const errText = new Response(child.stderr).text();
  try {
    // Poll every TCP listener until all accept (the SRT one is UDP: the log line covers it).
    const tcp = [ports.rtmp, ports.rtsp, ports.http];
    let acceptAt = 0;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if ((await Promise.all(tcp.map(accepts))).every(Boolean)) {
        acceptAt = epochNow();
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    while (!startup && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (!acceptAt || !startup) {
      throw new Error(
        `the server did not come up within 30 s (accepting: ${Boolean(acceptAt)}, "startup" line: ${
          Boolean(startup)
        }); its output:\n${lines.slice(-20).join("\n")}`,
      );
    }
    const s = startup as NonNullable<typeof startup>;
    await new Promise((r) => setTimeout(r, idleS * 1000));
    const rss = rssBytes(child.pid);
    const res = await fetch(`http://127.0.0.1:${ports.http}/metrics`);
    const text = await res.text();
    if (!res.ok) throw new Error(`GET /metrics answered ${res.status}: ${text.slice(0, 200)}`);
    return {
      runtime_ms: s.origin - spawnedAt,
      modules_ms: s.modules_ms,
      main_ms: s.main_ms,
      listening_ms: s.listening_ms,
      accept_ms: acceptAt - spawnedAt,
      cpu_ms: cpuAtStartup,
      rss_mb: rss / 2 ** 20,
      heap_used_mb: parseMetric(text, "nodejs_heap_size_used_bytes") / 2 ** 20,
      heap_total_mb: parseMetric(text, "nodejs_heap_size_total_bytes") / 2 ** 20,
    };
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    const st = await child.status;
    await reading.catch(() => {});
    const err = await errText;
    if (st.code !== 0 && st.signal === null && err.trim()) {
      console.error(err.trim().split("\n").slice(-5).join("\n"));
    }
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

const COLUMNS: [keyof Run, string][] = [
  ["runtime_ms", "runtime up (spawn → time origin), ms"],
  ["modules_ms", "modules loaded (origin → first module), ms"],
  ["main_ms", "modules evaluated (origin → main()), ms"],
  ["listening_ms", "listening (origin → every listener up), ms"],
  ["accept_ms", "TCP accepts, polled (spawn → all accept), ms"],
  ["cpu_ms", "CPU time (user + system) until listening, ms"],
  ["rss_mb", "RSS idle, MB"],
  ["heap_used_mb", "V8 heap used idle, MB"],
  ["heap_total_mb", "V8 heap total idle, MB"],
];

async function main() {
  const opts = parseOptions(Deno.args);
  if (opts.bundle && !(await bundleServer())) Deno.exit(1);
  console.log(`startup: ${opts.cmd.join(" ")}`);
  console.log(`startup: 1 warm-up run, then ${opts.runs} runs, ${opts.idleS} s idle each`);
  await once(opts.cmd, 0);
  const runs: Run[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const r = await once(opts.cmd, opts.idleS);
    runs.push(r);
    console.log(
      `run ${i + 1}: listening ${r.listening_ms.toFixed(0)} ms after the runtime was up ` +
        `(runtime ${r.runtime_ms.toFixed(0)} ms, CPU ${r.cpu_ms.toFixed(0)} ms), RSS ${
          r.rss_mb.toFixed(1)
        } MB, heap ${r.heap_used_mb.toFixed(1)}/${r.heap_total_mb.toFixed(1)} MB`,
    );
  }
  console.log("");
  console.log("| measure | median | p90 | max |");
  console.log("| --- | --- | --- | --- |");
  const summary: Record<string, { median: number; p90: number; max: number }> = {};
  for (const [key, label] of COLUMNS) {
    const v = runs.map((r) => r[key]);
    const row = { median: median(v), p90: percentile(v, 0.9), max: Math.max(...v) };
    summary[key] = row;
    const f = (x: number) => x.toFixed(key.endsWith("_mb") ? 1 : 0);
    console.log(`| ${label} | ${f(row.median)} | ${f(row.p90)} | ${f(row.max)} |`);
  }
  if (opts.json) {
    await Deno.writeTextFile(
      opts.json,
      JSON.stringify({ cmd: opts.cmd, idle_s: opts.idleS, runs, summary }, null, 2) + "\n",
    );
    console.log(`\nstartup: wrote ${opts.json}`);
  }
}

if (import.meta.main) await main();
