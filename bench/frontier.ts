/**
 * `deno task bench:frontier`: the latency/CPU frontier of the fan-out's batch window. For each
 * audience size and each batch setting (`batchms/maxbatchms`), one run measures at the same time:
 * server CPU per delivered gigabit (N load players on the stream) and publisher → player latency
 * (a probe player beside them, see latency.ts), and memory per player. The peer (nginx-rtmp for RTMP,
 * Node-Media-Server for HTTP-FLV; both forward each message at once) is measured in the same run as
 * the reference, and optionally Estuary from another checkout (`--before DIR`, e.g. the code before a
 * change). Writes an SVG chart (`--svg FILE`) and JSON.
 *
 *   deno run -A bench/frontier.ts --players 100,500,1000 --settings 0/0,20/40,20/150 --svg docs/frontier.svg
 *   deno run -A bench/frontier.ts --redraw out.json --svg docs/frontier.svg     (the chart again, from JSON)
 */
import { cpuSeconds, memory } from "./proc.ts";
import { source } from "./media.ts";
import { flvProbe, publisher, rtmpProbe } from "./latency.ts";
import { ensureNms, nginxAvailable, type Peer, startEstuary, startNginx, startNms } from "./peers.ts";
import { type FrontierPoint, frontierSvg } from "./frontier_chart.ts";

const argValue = (name: string) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
};
const players = (argValue("--players") ?? "100,500,1000").split(",").map(Number);
const settings = (argValue("--settings") ?? "0/0,20/40,20/80,20/150").split(",");
const proto = (argValue("--proto") ?? "rtmp") as "rtmp" | "flv";
const seconds = Number(argValue("--seconds") ?? "8");
const before = argValue("--before");
const svgFile = argValue("--svg");
const jsonFile = argValue("--json");

const STREAM = "lat";

/** Writes the chart in the repository's format (`deno fmt` formats SVG too, and `deno task check` checks it). */
async function writeSvg(file: string, svg: string) {
  await Deno.writeTextFile(file, svg);
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", file], stdout: "null", stderr: "null" })
    .output();
}

// --redraw FILE: only draws the chart again from a JSON this script wrote.
const redraw = argValue("--redraw");
if (redraw) {
  const saved = JSON.parse(await Deno.readTextFile(redraw));
  await writeSvg(svgFile ?? "frontier.svg", frontierSvg(saved.points, { proto: saved.proto }));
  Deno.exit(0);
}

/** One run: N load players and a latency probe on one stream of a fresh server. */
async function measure(peer: Peer, n: number, label: string): Promise<FrontierPoint> {
  const ac = new AbortController();
  const sent = new Map<string, number>();
  const samples: number[] = [];
  const src = await source("600k");
  const pub = publisher(new URL(peer.rtmpUrl(STREAM)), src.file, sent, ac.signal);
  await new Promise((r) => setTimeout(r, 1500));
  const url = proto === "rtmp" ? peer.rtmpUrl(STREAM) : peer.flvUrl(STREAM);
  const rss0 = memory(peer.pid).rss;
  let rss1 = 0;
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
      "3",
      "--seconds",
      String(seconds),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const fingerprint = (await import("./latency.ts")).fingerprint;
  const onVideo = (body: Uint8Array) => {
    const at = sent.get(fingerprint(body));
    if (at !== undefined) samples.push(performance.now() - at);
  };
  const probe = proto === "rtmp"
    ? rtmpProbe(new URL(url), onVideo, ac.signal)
    : flvProbe(new URL(url), onVideo, ac.signal);
  let cpu0 = 0, cpu1 = 0;
  let done: Record<string, number> | undefined;
  let buf = "";
  for await (const text of load.stdout.pipeThrough(new TextDecoderStream())) {
    buf += text;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (msg.phase === "measuring") {
        cpu0 = cpuSeconds(peer.pid);
        samples.length = 0; // only frames sent inside the window count
      }
      if (msg.phase === "done") {
        cpu1 = cpuSeconds(peer.pid);
        rss1 = memory(peer.pid).rss;
        done = msg;
      }
    }
  }
  const window = samples.slice().sort((a, b) => a - b);
  ac.abort();
  await Promise.allSettled([pub, probe, load.status]);
  if (!done) throw new Error(`${peer.name} n=${n}: the load generator produced no result`);
  const q = (p: number) =>
    window.length ? window[Math.min(window.length - 1, Math.floor(p * window.length))] : NaN;
  const gbit = done.bytes_total * 8 / 1e9;
  return {
    peer: peer.name,
    setting: label,
    players: n,
    cpu_per_gbit: (cpu1 - cpu0) / gbit,
    p50_ms: q(0.5),
    p99_ms: q(0.99),
    samples: window.length,
    dropped: done.dropped,
    min_share: done.bytes_min / (src.bitrate / 8 * done.window_s),
    rss_kb_per_player: (rss1 - rss0) / 1024 / n,
  };
}

const points: FrontierPoint[] = [];
let base = 19600;
const run = async (start: () => Promise<Peer>, n: number, label: string) => {
  const peer = await start();
  try {
    const p = await measure(peer, n, label);
    points.push(p);
    console.error(
      `${p.peer} ${p.setting} n=${n}: ${p.cpu_per_gbit.toFixed(3)} CPU s/Gbit, latency p50 ${
        p.p50_ms.toFixed(1)
      } / p99 ${p.p99_ms.toFixed(1)} ms (${p.samples} samples), ${
        p.rss_kb_per_player.toFixed(1)
      } KB/player, ${(p.min_share * 100).toFixed(1)} % min share, dropped ${p.dropped}`,
    );
  } finally {
    await peer.stop();
  }
};
// The peer: nginx-rtmp for RTMP; Node-Media-Server for HTTP-FLV (nginx-rtmp has none).
const peerStart = proto === "rtmp"
  ? (nginxAvailable() === null ? (port: number) => startNginx({ rtmp: port }) : undefined)
  : (await ensureNms()) === null
  ? (port: number) => startNms({ rtmp: port, http: port + 2 })
  : undefined;
for (const n of players) {
  if (peerStart) {
    base += 10;
    const port = base;
    await run(() => peerStart(port), n, "per message");
  }
  if (before) {
    base += 10;
    const port = base;
    await run(
      () => startEstuary({ rtmp: port, http: port + 1 }, { root: before, name: "estuary-before" }),
      n,
      "before",
    );
  }
  for (const s of settings) {
    const [batchms, maxbatchms] = s.split("/");
    base += 10;
    const port = base;
    await run(
      () =>
        startEstuary({ rtmp: port, http: port + 1 }, {
          env: { ESTUARY_RTMP_BATCHMS: batchms, ESTUARY_RTMP_MAXBATCHMS: maxbatchms },
        }),
      n,
      s,
    );
  }
}
console.log(
  "| server | batchms/maxbatchms | players | CPU s/Gbit | × peer | latency p50 ms | p99 ms | samples | RSS/player KB | min share | dropped |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const p of points) {
  const peer = points.find((q) => q.players === p.players && q.setting === "per message");
  const ratio = peer ? `${(p.cpu_per_gbit / peer.cpu_per_gbit).toFixed(2)}×` : "-";
  console.log(
    `| ${p.peer} | ${p.setting} | ${p.players} | ${p.cpu_per_gbit.toFixed(3)} | ${ratio} | ${
      p.p50_ms.toFixed(1)
    } | ${p.p99_ms.toFixed(1)} | ${p.samples} | ${p.rss_kb_per_player.toFixed(1)} | ${
      (p.min_share * 100).toFixed(1)
    } % | ${p.dropped} |`,
  );
}
if (svgFile) await writeSvg(svgFile, frontierSvg(points, { proto }));
if (jsonFile) await Deno.writeTextFile(jsonFile, JSON.stringify({ proto, seconds, points }, null, 2));
