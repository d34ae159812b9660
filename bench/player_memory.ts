/**
 * Where a player's memory goes: runs Estuary IN this process (so the V8 heap can be read after a full
 * GC), publishes the bench media with ffmpeg, opens N players from a separate load process, and
 * prints per player: V8 heap used, external (ArrayBuffers), and RSS growth. `--census` also diffs two
 * heap snapshots by constructor: the objects each player adds, which is what names where memory goes.
 *
 *   deno run -A --v8-flags=--expose-gc,--max-semi-space-size=2 bench/player_memory.ts --proto flv --n 200
 */
import { ConfigSchema } from "../src/config/mod.ts";
import { createServer } from "../src/server.ts";
import { publish, source } from "./media.ts";
import v8 from "node:v8";

function arg(name: string, def: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && Deno.args[i + 1] !== undefined ? Deno.args[i + 1] : def;
}

const proto = arg("proto", "flv") as "flv" | "rtmp";
const n = Number(arg("n", "200"));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc (a heap figure needs a full GC first)");

const census = Deno.args.includes("--census");

/** Objects in the heap by type and constructor name: count and self size. */
function heapCensus(): Map<string, { count: number; bytes: number }> {
  const file = v8.writeHeapSnapshot(`${Deno.makeTempDirSync()}/heap.heapsnapshot`);
  const snap = JSON.parse(Deno.readTextFileSync(file));
  Deno.removeSync(file);
  const f: string[] = snap.snapshot.meta.node_fields;
  const types: string[] = snap.snapshot.meta.node_types[0];
  const [ti, ni, si] = [f.indexOf("type"), f.indexOf("name"), f.indexOf("self_size")];
  const out = new Map<string, { count: number; bytes: number }>();
  const nodes: number[] = snap.nodes;
  for (let i = 0; i < nodes.length; i += f.length) {
    const type = types[nodes[i + ti]];
    const name = type === "object" || type === "closure" || type === "native"
      ? `${type}:${snap.strings[nodes[i + ni]]}`
      : type;
    const e = out.get(name) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += nodes[i + si];
    out.set(name, e);
  }
  return out;
}

const rss = () => Number(/VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1] ?? 0) * 1024;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 200));
  }
  const m = Deno.memoryUsage();
  return { heap: m.heapUsed, external: m.external, rss: rss() };
};

const root = await Deno.makeTempDir({ prefix: "estuary-mem-" });
const config = ConfigSchema.parse({
  rtmp: { ip: "127.0.0.1", port: 0, maxidle: 0 },
  http: { ip: "127.0.0.1", port: 0 },
  rtsp: { enable: false },
  srt: { enable: false },
  log: { level: "warn", file: false },
});
const server = createServer({ config, root, configFile: null });
await server.start();
const rtmpUrl = `rtmp://127.0.0.1:${server.port("rtmp")}/live/bench`;
const src = await source("600k");
const pub = publish(src, rtmpUrl);
await new Promise((r) => setTimeout(r, 4000));
const before = await settle();
const census0 = census ? heapCensus() : undefined;
const url = proto === "rtmp" ? rtmpUrl : `http://127.0.0.1:${server.port("http")}/live/bench.flv`;
const load = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    new URL("./load.ts", import.meta.url).pathname,
    "--proto",
    proto,
    "--url",
    url,
    "--n",
    String(n),
    "--warmup",
    "6",
    "--seconds",
    "6",
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
// Measure inside the load's window (after its warm-up): every player connected and playing.
await new Promise((r) => setTimeout(r, 9000));
const during = await settle();
if (census0) {
  const rows = [...heapCensus()].map(([k, v]) => {
    const b = census0.get(k) ?? { count: 0, bytes: 0 };
    return { k, count: (v.count - b.count) / n, bytes: (v.bytes - b.bytes) / n };
  }).filter((r) => r.count >= 0.9 || r.bytes > 256).sort((a, b) => b.bytes - a.bytes).slice(0, 40);
  for (const r of rows) {
    console.log(`${r.bytes.toFixed(0).padStart(7)} B ${r.count.toFixed(2).padStart(6)}  ${r.k}`);
  }
}
const per = (k: keyof typeof before) => ((during[k] - before[k]) / 1024 / n).toFixed(1);
const report: Record<string, unknown> = {
  proto,
  players: n,
  heap_kb_per_player: Number(per("heap")),
  external_kb_per_player: Number(per("external")),
  rss_kb_per_player: Number(per("rss")),
};
const out = await load.output();
const done = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l)).at(-1);
report.connected = done?.connected;
report.dropped = done?.dropped;
console.log(JSON.stringify(report));
pub.kill("SIGKILL");
await pub.status;
await server.stop();
await Deno.remove(root, { recursive: true }).catch(() => {});
Deno.exit(0);
