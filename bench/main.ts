/**
 * `deno task bench`: fan-out benchmark. One publisher, N players on one stream, for Estuary and (when
 * installed) nginx-rtmp and Node-Media-Server, in the same run on this machine. Prints a table of
 * server CPU per delivered gigabit, memory per player and delivery completeness, with Estuary's ratios.
 *
 *   deno task bench            full run (~30 min): N = 100, 500, 1000, 2000 at 600 kbit/s; 100, 500 at 2 Mbit/s;
 *                              HLS with 100 and 200 players polling (bench/hls_level.ts, nginx-rtmp hls + nginx);
 *                              WHEP (werift viewers) and Estuary's RTMP at 50 and 200 viewers of 1 Mbit/s;
 *                              RTSP over TCP and UDP and SRT at 50 and 200 players of 600 kbit/s (packet_load.ts,
 *                              against gst-rtsp-server and GStreamer's SRT relay, gst_peers.ts)
 *   deno task bench --quick    ~6 min: N = 100, 500 at 600 kbit/s; HLS with 200 players polling; WHEP and RTMP
 *                              at 50, 200 of 1 Mbit/s; RTSP (TCP, UDP) and SRT at 100 of 600 kbit/s
 *   deno task bench --smoke    a few players for a few seconds, Estuary only (part of `deno task test`)
 *   --peers estuary,nginx-rtmp,node-media-server,gst-rtsp-server,gst-srt-relay   which servers (default: all
 *                              that are available)
 *   --json FILE                also write the raw results as JSON
 *   --levels rtmp:600k:1000,…  only these levels (proto:profile:players; proto rtmp, flv, hls, whep, rtsp-tcp,
 *                              rtsp-udp or srt)
 *   --ports N                  first port for the servers (default 19350; 10 per measurement)
 *   --workers                  Estuary with 1 and 2 workers (<workers>): CPU/Gbit, how the CPU splits over
 *                              processes and cores, and the most players delivered at ≥ 99 % (~8 min)
 *   --no-latency               skip the latency probe (a focused re-run of a few levels)
 *   --before DIR               with peer estuary-before: Estuary from another checkout DIR (its main.ts),
 *                              for before/after figures of a change in one run
 */
import { cpuSeconds, memory } from "./proc.ts";
import { type Profile, publish, type Source, source } from "./media.ts";
import { ensureNms, nginxAvailable, type Peer, startEstuary, startNginx, startNms } from "./peers.ts";
import { measureLatency } from "./latency.ts";
import { formatTable, medianRounds } from "./report.ts";
import { workersTable } from "./workers_report.ts";
import { type CpuSnapshot, snapshot, split } from "./cores.ts";
import { formatHlsTable, hlsLevels, type HlsResult, runHls } from "./hls_level.ts";
import { gstAvailable, startGstRtsp, startGstSrt } from "./gst_peers.ts";
import { packetPlayer, PacketStats } from "./packet_players.ts";
import { flvPlayer, rtmpPlayer } from "./players.ts";
import { PROTOS } from "./types.ts";

export type { LatencyResult, Level, Result } from "./types.ts";
import type { LatencyResult, Level, Result } from "./types.ts";

const flags = new Set(Deno.args.filter((a) => a.startsWith("--")));
const argValue = (name: string) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
};
const mode = flags.has("--smoke")
  ? "smoke"
  : flags.has("--workers")
  ? "workers"
  : flags.has("--quick")
  ? "quick"
  : "full";

/** RTSP over TCP and UDP and SRT: players counting packets (packet_load.ts), at 600 kbit/s. */
const PACKET_PROTOS = ["rtsp-tcp", "rtsp-udp", "srt"] as const;
const isPacketProto = (p: string) => (PACKET_PROTOS as readonly string[]).includes(p);
const packetLevels = (ns: number[]): Level[] =>
  PACKET_PROTOS.flatMap((proto) => ns.map((n) => ({ proto, profile: "600k" as Profile, n })));

/** WHEP (Estuary only) at 50 and 200 viewers of 1 Mbit/s, with Estuary's RTMP at the same levels. */
const WHEP_LEVELS: Level[] = (["whep", "rtmp"] as const).flatMap((proto) =>
  [50, 200].map((n) => ({ proto, profile: "1m" as Profile, n }))
);

const LEVELS: Record<string, { levels: Level[]; warmup: number; seconds: number; latencyPlayers: number }> = {
  smoke: {
    levels: [
      { proto: "rtmp", profile: "600k", n: 5 },
      { proto: "flv", profile: "600k", n: 5 },
      { proto: "whep", profile: "600k", n: 3 },
      ...packetLevels([3]),
    ],
    warmup: 2,
    seconds: 3,
    latencyPlayers: 0,
  },
  quick: {
    levels: [
      ...(["rtmp", "flv"] as const).flatMap((proto) =>
        [100, 500].map((n) => ({ proto, profile: "600k" as Profile, n }))
      ),
      ...hlsLevels([200]),
      ...WHEP_LEVELS,
      ...packetLevels([100]),
    ],
    warmup: 3,
    seconds: 6,
    latencyPlayers: 100,
  },
  workers: {
    levels: (["rtmp", "flv"] as const).flatMap((proto) =>
      [500, 1000, 2000].map((n) => ({ proto, profile: "600k" as Profile, n }))
    ),
    warmup: 4,
    seconds: 10,
    latencyPlayers: 0,
  },
  full: {
    levels: [
      ...(["rtmp", "flv"] as const).flatMap((proto): Level[] => [
        ...[100, 500, 1000, 2000].map((n) => ({ proto, profile: "600k" as Profile, n })),
        ...[100, 500].map((n) => ({ proto, profile: "2m" as Profile, n })),
      ]),
      ...hlsLevels([100, 200]),
      ...WHEP_LEVELS,
      ...packetLevels([50, 200]),
    ],
    warmup: 5,
    seconds: 20,
    latencyPlayers: 500,
  },
};

async function runLoad(
  peer: Peer,
  level: Level,
  bitrate: number,
  timing: { warmup: number; seconds: number },
): Promise<Result> {
  const url = level.proto === "rtmp"
    ? peer.rtmpUrl("bench")
    : level.proto === "flv"
    ? peer.flvUrl("bench")
    : level.proto === "srt"
    ? peer.srtUrl?.("bench") ?? ""
    : isPacketProto(level.proto)
    ? peer.rtspUrl?.("bench") ?? ""
    : peer.whepUrl("bench");
  const { rss: rss0, anon: anon0 } = memory(peer.pid);
  // WHEP viewers are werift peer connections in their own process (whep_load.ts); RTSP and SRT players
  // count packets (packet_load.ts).
  const loader = level.proto === "whep"
    ? "./whep_load.ts"
    : isPacketProto(level.proto)
    ? "./packet_load.ts"
    : "./load.ts";
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(loader, import.meta.url).pathname,
      "--proto",
      level.proto,
      "--url",
      url,
      "--n",
      String(level.n),
      "--warmup",
      String(timing.warmup),
      "--seconds",
      String(timing.seconds),
      // --rcvbuf BYTES: the WHEP viewers' setRecvBufferSize (whep_load.ts: default 4096; 0 leaves it).
      ...(level.proto === "whep" && argValue("--rcvbuf") ? ["--rcvbuf", argValue("--rcvbuf")!] : []),
    ],
    stdout: "piped",
    stderr: "inherit",
    env: { RUST_BACKTRACE: "0" },
  }).spawn();
  let cpu0 = 0, cpu1 = 0, rss1 = 0, anon1 = 0, hwm = 0, load0 = 0, load1 = 0;
  let snap0: CpuSnapshot | undefined, snap1: CpuSnapshot | undefined;
  let done: Record<string, unknown> | undefined;
  const lines = child.stdout.pipeThrough(new TextDecoderStream());
  let buf = "";
  for await (const text of lines) {
    buf += text;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const msg = JSON.parse(line);
      if (msg.phase === "measuring") {
        cpu0 = cpuSeconds(peer.pid);
        snap0 = snapshot(peer.pid);
        load0 = cpuSeconds(child.pid);
      }
      if (msg.phase === "done") {
        cpu1 = cpuSeconds(peer.pid);
        snap1 = snapshot(peer.pid);
        load1 = cpuSeconds(child.pid);
        const m = memory(peer.pid);
        rss1 = m.rss;
        anon1 = m.anon;
        hwm = m.hwm;
        done = msg;
      }
    }
  }
  await child.status;
  if (!done) {
    throw new Error(`load generator for ${peer.name} ${level.proto} n=${level.n} produced no result`);
  }
  const window = done.window_s as number;
  const expected = (bitrate / 8) * window;
  const delivered = (done.bytes_total as number) * 8 / 1e9;
  const cpu = cpu1 - cpu0;
  const cpuSplit = snap0 && snap1 ? split(snap0, snap1) : undefined;
  return {
    ...level,
    peer: peer.name,
    connected: done.connected as number,
    started: done.started as number,
    dropped: done.dropped as number,
    errors: done.errors as string[],
    window_s: window,
    min_share: typeof done.share_min === "number" ? done.share_min : (done.bytes_min as number) / expected,
    players_99: done.viewers_99 as number | undefined,
    auth_failures: done.auth_failures as number | undefined,
    auth_checks: done.auth_checks as number | undefined,
    auth_all_failed_viewers: done.auth_all_failed_viewers as number | undefined,
    connect_s: done.connect_s as number | undefined,
    loader_cpu_share: (load1 - load0) / window,
    retries: done.retries as number | undefined,
    stages: done.stages as Record<string, number | null> | undefined,
    delivered_gbit: delivered,
    cpu_s: cpu,
    cpu_per_gbit: delivered > 0 ? cpu / delivered : Infinity,
    rss_growth_per_player_kb: (rss1 - rss0) / 1024 / level.n,
    anon_growth_per_player_kb: (anon1 - anon0) / 1024 / level.n,
    peak_rss_mb: hwm / 1024 / 1024,
    cpu_by_process: cpuSplit?.processes,
    core_busy: cpuSplit?.cores,
  };
}

/**
 * For the RTMP, HTTP-FLV, RTSP and SRT levels: one player of the level's protocol that stays for the
 * measurement, started once the stream plays (it is the liveness probe; its bytes are not counted). The
 * baseline memory is taken with it playing, so RSS per player is what each further player adds, for every
 * server alike: not the one-off cost of the first player of a protocol (the code its path runs for the
 * first time, the stream's output for that protocol; gst-rtsp-server builds its shared medium for the
 * first player and drops it after the last).
 */
/** Levels measured with an anchor player (startAnchor); WHEP and HLS levels measure from the bare stream. */
const hasAnchor = (proto: Level["proto"]) => proto === "rtmp" || proto === "flv" || isPacketProto(proto);

async function startAnchor(peer: Peer, level: Level, ms: number): Promise<() => Promise<void>> {
  const url = new URL(
    level.proto === "rtmp"
      ? peer.rtmpUrl("bench")
      : level.proto === "flv"
      ? peer.flvUrl("bench")
      : level.proto === "srt"
      ? peer.srtUrl!("bench")
      : peer.rtspUrl!("bench"),
  );
  const play = level.proto === "rtmp"
    ? rtmpPlayer
    : level.proto === "flv"
    ? flvPlayer
    : packetPlayer(level.proto);
  const end = Date.now() + ms;
  let last = "";
  while (Date.now() < end) {
    const ac = new AbortController();
    const s = new PacketStats();
    const run = play(url, s, ac.signal);
    const until = Date.now() + 3000;
    while (Date.now() < until && s.bytes <= 20_000 && !s.closed) await new Promise((r) => setTimeout(r, 100));
    if (s.bytes > 20_000 && !s.closed) {
      return async () => {
        ac.abort();
        await run;
      };
    }
    last = s.error;
    ac.abort();
    await run;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `${peer.name}: no ${level.proto} player got the stream within ${ms} ms${last ? ` (${last})` : ""}`,
  );
}

async function waitLive(peer: Peer, ms: number) {
  // The stream is live once a player gets media bytes.
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ac = new AbortController();
    const s = { bytes: 0, connected: false, started: false, error: "", closed: false };
    const run = rtmpPlayer(new URL(peer.rtmpUrl("bench")), s, ac.signal);
    await new Promise((r) => setTimeout(r, 1500));
    ac.abort();
    await run;
    if (s.bytes > 20_000) return;
  }
  throw new Error(`${peer.name}: the publisher's stream did not become playable within ${ms} ms`);
}

type PeerName =
  | "estuary"
  | "estuary-2w"
  | "estuary-before"
  | "nginx-rtmp"
  | "node-media-server"
  | "gst-rtsp-server"
  | "gst-srt-relay";
/** What each peer serves in the bench (nginx-rtmp has no HTTP-FLV). */
const SERVES: Record<PeerName, Level["proto"][]> = {
  "estuary": ["rtmp", "flv", "whep", "rtsp-tcp", "rtsp-udp", "srt"],
  "estuary-2w": ["rtmp", "flv"],
  "estuary-before": ["rtmp", "flv", "whep", "rtsp-tcp", "rtsp-udp", "srt"],
  "nginx-rtmp": ["rtmp"],
  "node-media-server": ["rtmp", "flv"],
  "gst-rtsp-server": ["rtsp-tcp", "rtsp-udp"],
  "gst-srt-relay": ["srt"],
};
const PEER_NAMES = Object.keys(SERVES) as PeerName[];

async function startPeer(name: PeerName, base: number, proto: Level["proto"]): Promise<Peer> {
  if (name === "gst-rtsp-server") return await startGstRtsp({ rtsp: base });
  if (name === "gst-srt-relay") return await startGstSrt({ srt: base });
  if (name === "estuary") {
    // RTSP and SRT listeners only for their levels: the other levels' figures stay as they were.
    return await startEstuary({
      rtmp: base,
      http: base + 1,
      ...(proto.startsWith("rtsp") ? { rtsp: base + 2 } : {}),
      ...(proto === "srt" ? { srt: base + 3 } : {}),
    });
  }
  if (name === "estuary-2w") return await startEstuary({ rtmp: base, http: base + 1 }, { workers: 2 });
  if (name === "estuary-before") {
    const root = argValue("--before");
    if (!root) throw new Error("peer estuary-before needs --before DIR (a checkout with main.ts)");
    return await startEstuary({
      rtmp: base,
      http: base + 1,
      ...(proto.startsWith("rtsp") ? { rtsp: base + 2 } : {}),
      ...(proto === "srt" ? { srt: base + 3 } : {}),
    }, { root, name });
  }
  if (name === "nginx-rtmp") return await startNginx({ rtmp: base });
  return await startNms({ rtmp: base, http: base + 2 });
}

/** One `--levels` entry, proto:profile:players (e.g. rtsp-udp:600k:200). */
function parseLevel(text: string): Level {
  const [proto, profile, n] = text.split(":");
  if (!(PROTOS as readonly string[]).includes(proto)) {
    throw new Error(`--levels "${text}": the protocol must be one of ${PROTOS.join(", ")}`);
  }
  if (!["600k", "1m", "2m"].includes(profile)) {
    throw new Error(`--levels "${text}": the profile must be 600k, 1m or 2m`);
  }
  if (!(Number(n) >= 1 && Number.isInteger(Number(n)))) {
    throw new Error(`--levels "${text}": the player count must be a whole number ≥ 1`);
  }
  return { proto: proto as Level["proto"], profile: profile as Profile, n: Number(n) };
}

function parsePeer(name: string): PeerName {
  if (!(PEER_NAMES as string[]).includes(name)) {
    throw new Error(`--peers "${name}": a peer must be one of ${PEER_NAMES.join(", ")}`);
  }
  return name as PeerName;
}

export async function runBench(): Promise<
  { results: Result[]; latency: LatencyResult[]; notes: string[]; hls: HlsResult[] }
> {
  const cfg = { ...LEVELS[mode] };
  // --levels rtmp:600k:1000,flv:600k:1000 measures only those levels (a focused re-run).
  const only = argValue("--levels");
  if (only) {
    cfg.levels = only.split(",").map(parseLevel);
  }
  const notes: string[] = [];
  let peers: PeerName[] = argValue("--peers")?.split(",").map(parsePeer) ??
    (mode === "smoke"
      ? ["estuary"]
      : mode === "workers"
      ? ["estuary", "estuary-2w"]
      : ["estuary", "nginx-rtmp", "node-media-server", "gst-rtsp-server", "gst-srt-relay"]);
  // A peer no level needs is not started at all.
  peers = peers.filter((p) =>
    cfg.levels.some((l) =>
      SERVES[p].includes(l.proto) ||
      (l.proto === "hls" && ["estuary", "estuary-before", "nginx-rtmp"].includes(p))
    )
  );
  for (const [name, what] of [["gst-rtsp-server", "rtsp"], ["gst-srt-relay", "srt"]] as const) {
    if (!peers.includes(name)) continue;
    const why = await gstAvailable(what);
    if (why) {
      notes.push(`${name} skipped: ${why}`);
      peers = peers.filter((p) => p !== name);
    }
  }
  if (peers.includes("nginx-rtmp")) {
    const why = nginxAvailable();
    if (why) {
      notes.push(`nginx-rtmp skipped: ${why}`);
      peers = peers.filter((p) => p !== "nginx-rtmp");
    }
  }
  if (peers.includes("node-media-server")) {
    const why = await ensureNms();
    if (why) {
      notes.push(`node-media-server skipped: ${why}`);
      peers = peers.filter((p) => p !== "node-media-server");
    }
  }
  const results: Result[] = [];
  const latency: LatencyResult[] = [];
  // --ports N: the first of the ports the servers use (another bench on the machine may hold 19350+).
  let base = Number(argValue("--ports") ?? 19350);
  /** A fresh server and publisher per measurement, so memory per player starts from a clean baseline. */
  const withPeer = async (
    name: PeerName,
    level: Level,
    fn: (peer: Peer, src: Source) => Promise<void>,
  ) => {
    const src = await source(level.profile);
    base += 10;
    const peer = await startPeer(name, base, level.proto);
    const pub = peer.publish ? peer.publish(src) : publish(src, peer.rtmpUrl("bench"));
    let anchor: (() => Promise<void>) | undefined;
    try {
      if (hasAnchor(level.proto)) anchor = await startAnchor(peer, level, 20000);
      else await waitLive(peer, 20000);
      await fn(peer, src);
    } finally {
      await anchor?.();
      try {
        pub.kill("SIGKILL");
      } catch { /* gone */ }
      await pub.status;
      await peer.stop();
    }
  };
  // Level by level, every server back to back (a busy minute of the machine then hits them alike), and
  // with --rounds N every level N times over, each server's median round reported.
  const rounds = Math.max(1, Number(argValue("--rounds") ?? 1));
  const peerOrder = (name: string) => {
    const i = (peers as string[]).indexOf(name);
    return i < 0 ? peers.length : i;
  };
  const runs: Result[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const level of cfg.levels) {
      for (const name of peers) {
        if (!(SERVES[name] as string[]).includes(level.proto)) continue;
        await withPeer(name, level, async (peer, src) => {
          const r = await runLoad(peer, level, src.bitrate, cfg);
          runs.push(r);
          console.error(
            `${rounds > 1 ? `round ${round}: ` : ""}${r.peer} ${r.proto} ${r.profile} n=${r.n}: cpu ${
              r.cpu_s.toFixed(2)
            } s for ${r.delivered_gbit.toFixed(3)} Gbit, ` +
              `min share ${(r.min_share * 100).toFixed(1)} %, dropped ${r.dropped}, ${
                r.rss_growth_per_player_kb.toFixed(1)
              } KB/player` + (r.stages ? `\n  stages ${JSON.stringify(r.stages)}` : ""),
          );
        }).catch((err) => notes.push(`${name} ${level.proto} n=${level.n}: ${(err as Error).message}`));
      }
    }
  }
  // The table lists each server's levels together, as before the interleaving.
  results.push(...medianRounds(runs).sort((a, b) => peerOrder(a.peer) - peerOrder(b.peer)));
  if (rounds > 1) {
    notes.push(`each row: the round with the median CPU s/Gbit of ${rounds} (levels interleaved)`);
  }
  for (const name of peers) {
    const latencyProtos: string[] = SERVES[name].filter((p) => p === "rtmp" || p === "flv");
    if (
      cfg.latencyPlayers > 0 && !flags.has("--no-latency") &&
      cfg.levels.some((l) => latencyProtos.includes(l.proto))
    ) {
      await withPeer(name, { proto: "rtmp", profile: "600k", n: 0 }, async (peer, src) => {
        for (const proto of peer.protocols) {
          latency.push(await measureLatency(peer, proto, { players: cfg.latencyPlayers, seconds: 8, src }));
        }
      });
    }
  }
  const hls = await runHls(peers, cfg.levels, cfg, {
    base: base + 1000,
    notes,
    before: argValue("--before"),
  });
  return { results: [...results, ...hls], latency, notes, hls };
}

if (import.meta.main) {
  const { results, latency, notes, hls } = await runBench();
  console.log(formatTable(results, latency, notes, { mode }) + workersTable(results));
  console.log(formatHlsTable(hls));
  const json = argValue("--json");
  if (json) await Deno.writeTextFile(json, JSON.stringify({ mode, results, latency, notes }, null, 2));
}
