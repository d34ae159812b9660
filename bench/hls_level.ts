/**
 * The HLS level of `deno task bench`: N players polling a live HLS stream (the playlist once per
 * target duration, every new segment once), served by Estuary from memory and by nginx-rtmp's
 * `hls on` with nginx itself serving the files (sendfile). Both get the same 2 s segments of the same
 * source. Reports server CPU per delivered gigabit and per request.
 */
import { cpuSeconds, memory } from "./proc.ts";
import { type Profile, publish, source } from "./media.ts";
import { type Peer, startEstuary, startNginx } from "./peers.ts";
import type { Level, Result } from "./types.ts";

/** Segment duration both servers cut at (the source has a 1 s GOP). */
const SEGMENT_S = 2;

/** The bench's HLS levels: `n` players each, on the 600 kbit/s source. */
export const hlsLevels = (ns: number[]): Level[] => ns.map((n) => ({ proto: "hls", profile: "600k", n }));

export interface HlsResult extends Result {
  requests: number;
  failures: number;
  cpu_ms_per_request: number;
}

/** nginx with nginx-rtmp cutting HLS into a temp dir, and nginx's HTTP server sending those files. */
export function startNginxHls(ports: { rtmp: number; http: number }): Promise<Peer> {
  return startNginx(ports, { segmentS: SEGMENT_S });
}

const hlsUrl = (peer: Peer, s: string) => peer.flvUrl(s).replace(/\.flv$/, ".m3u8");

/** Waits until the playlist lists at least two segments. */
async function waitPlaylist(url: string, ms: number, what: string) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const res = await fetch(url);
      const text = await res.text();
      if (res.ok && text.split("\n").filter((l) => l.trim() && !l.startsWith("#")).length >= 2) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: ${url} did not list two segments within ${ms} ms`);
}

async function runHlsLoad(
  peer: Peer,
  level: Level,
  timing: { warmup: number; seconds: number },
): Promise<HlsResult> {
  const { rss: rss0, anon: anon0 } = memory(peer.pid);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./hls_load.ts", import.meta.url).pathname,
      "--url",
      hlsUrl(peer, "bench"),
      "--n",
      String(level.n),
      "--spread-ms",
      String(SEGMENT_S * 1000),
      "--warmup",
      String(timing.warmup),
      "--seconds",
      String(timing.seconds),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let cpu0 = 0, cpu1 = 0, rss1 = 0, anon1 = 0, hwm = 0;
  let done: Record<string, unknown> | undefined;
  let buf = "";
  for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
    buf += text;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (msg.phase === "measuring") cpu0 = cpuSeconds(peer.pid);
      if (msg.phase === "done") {
        cpu1 = cpuSeconds(peer.pid);
        ({ rss: rss1, anon: anon1, hwm } = memory(peer.pid));
        done = msg;
      }
    }
  }
  await child.status;
  if (!done) throw new Error(`hls load for ${peer.name} n=${level.n} produced no result`);
  const cpu = cpu1 - cpu0;
  const delivered = (done.bytes_total as number) * 8 / 1e9;
  const requests = done.requests as number;
  const window = done.window_s as number;
  // Each player should get every segment of the window: bitrate × window, give or take one segment.
  const expected = (level.profile === "2m" ? 2e6 : 0.59e6) / 8 * window;
  return {
    ...level,
    peer: peer.name,
    connected: done.connected as number,
    started: done.started as number,
    dropped: done.dropped as number,
    errors: done.errors as string[],
    window_s: window,
    min_share: (done.bytes_min as number) / expected,
    delivered_gbit: delivered,
    cpu_s: cpu,
    cpu_per_gbit: delivered > 0 ? cpu / delivered : Infinity,
    rss_growth_per_player_kb: (rss1 - rss0) / 1024 / level.n,
    anon_growth_per_player_kb: (anon1 - anon0) / 1024 / level.n,
    peak_rss_mb: hwm / 1024 / 1024,
    requests,
    failures: done.failures as number,
    cpu_ms_per_request: requests > 0 ? cpu * 1000 / requests : Infinity,
  };
}

/**
 * Runs the HLS levels for each peer (estuary, estuary-before with `o.before`, nginx-rtmp), a fresh
 * server and publisher per level.
 * `base` is the first port to use; errors become notes.
 */
export async function runHls(
  peers: string[],
  levels: Level[],
  timing: { warmup: number; seconds: number },
  o: { base: number; notes: string[]; before?: string },
): Promise<HlsResult[]> {
  const out: HlsResult[] = [];
  let base = o.base;
  const estuaries = ["estuary", ...(o.before ? ["estuary-before"] : [])];
  for (const name of peers.filter((p) => estuaries.includes(p) || p === "nginx-rtmp")) {
    for (const level of levels.filter((l) => l.proto === "hls")) {
      base += 10;
      const src = await source(level.profile as Profile);
      const peer = estuaries.includes(name)
        ? await startEstuary({ rtmp: base, http: base + 1 }, {
          env: { ESTUARY_HTTP_HLSDURATION: String(SEGMENT_S) },
          ...(name === "estuary-before" ? { root: o.before, name } : {}),
        })
        : await startNginxHls({ rtmp: base, http: base + 1 });
      const pub = publish(src, peer.rtmpUrl("bench"));
      try {
        await waitPlaylist(hlsUrl(peer, "bench"), 30_000, name);
        const r = await runHlsLoad(peer, level, timing);
        out.push(r);
        console.error(
          `${r.peer} hls ${r.profile} n=${r.n}: cpu ${r.cpu_s.toFixed(2)} s for ${r.requests} requests, ` +
            `${r.delivered_gbit.toFixed(3)} Gbit, ${r.cpu_ms_per_request.toFixed(3)} ms/request, ` +
            `${r.failures} failed`,
        );
      } catch (err) {
        o.notes.push(`${name} hls n=${level.n}: ${(err as Error).message}`);
      } finally {
        try {
          pub.kill("SIGKILL");
        } catch { /* gone */ }
        await pub.status;
        await peer.stop();
      }
    }
  }
  return out;
}

/** The HLS rows: requests and CPU per request beside CPU per gigabit, and Estuary's ratios to nginx. */
export function formatHlsTable(results: HlsResult[]): string {
  if (!results.length) return "";
  const f = (n: number, d: number) => Number.isFinite(n) ? n.toFixed(d) : "-";
  const lines = [
    "",
    `HLS delivery (${SEGMENT_S} s segments, players polling the playlist each target duration and each new segment once):`,
    "",
    "| server | bitrate | players | requests | failed | min share | Gbit | CPU s | CPU ms/request | CPU s/Gbit | vs nginx (per Gbit) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const ng = results.find((x) => x.peer === "nginx-rtmp" && x.profile === r.profile && x.n === r.n);
    const ratio = r.peer.startsWith("estuary") && ng ? `${f(r.cpu_per_gbit / ng.cpu_per_gbit, 2)}×` : "";
    lines.push(
      `| ${r.peer} | ${r.profile} | ${r.n} | ${r.requests} | ${r.failures} | ${f(r.min_share * 100, 1)} % | ${
        f(r.delivered_gbit, 3)
      } | ${f(r.cpu_s, 2)} | ${f(r.cpu_ms_per_request, 3)} | ${f(r.cpu_per_gbit, 2)} | ${ratio} |`,
    );
  }
  return lines.join("\n");
}
