/**
 * Load generator process for the RTSP and SRT levels: N players (bench/packet_players.ts) of one URL in
 * one event loop, the same JSON phases as load.ts ({"phase":"measuring"}, then {"phase":"done", ...}).
 * Players join in batches; after the warm-up each counts bytes and its packet share over the window
 * (RTSP: RTP packets received over the span of their sequence numbers; SRT: packets delivered over
 * delivered + dropped by the receiver, and TS continuity errors).
 * Usage: packet_load.ts --proto rtsp-tcp|rtsp-udp|srt --url URL --n N --warmup S --seconds S
 */
import { packetPlayer, PacketStats } from "./packet_players.ts";
import { arg } from "./args.ts";
import { windowSummary } from "./players.ts";

const proto = arg("proto");
const url = new URL(arg("url"));
const n = Number(arg("n"));
const warmup = Number(arg("warmup", "5"));
const seconds = Number(arg("seconds", "20"));
const play = packetPlayer(proto);
/** Players that start their handshakes at once (SRT: libsrt's listener queues only a few). */
const BATCH = proto === "srt" ? 2 : 50;

const ac = new AbortController();
const stats: PacketStats[] = [];
const runs: Promise<void>[] = [];
const t00 = performance.now();
for (let i = 0; i < n; i += BATCH) {
  const batch: PacketStats[] = [];
  for (let k = i; k < Math.min(n, i + BATCH); k++) {
    const s = new PacketStats();
    stats.push(s);
    batch.push(s);
    runs.push(play(url, s, ac.signal));
  }
  // The next batch once this one has connected (or failed), at most 2 s later.
  const end = Date.now() + 2000;
  while (Date.now() < end && batch.some((s) => !s.connected && !s.closed)) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
const connectS = (performance.now() - t00) / 1000;
await new Promise((r) => setTimeout(r, warmup * 1000));
const before = stats.map((s) => s.bytes);
for (const s of stats) s.start();
const t0 = performance.now();
console.log(JSON.stringify({ phase: "measuring" }));
await new Promise((r) => setTimeout(r, seconds * 1000));
const t1 = performance.now();
for (const s of stats) s.stop();
const shares = stats.map((s) => s.share()).sort((a, b) => a - b);
const out = {
  ...windowSummary(stats, before, t0, t1),
  connect_s: connectS,
  /** Packet share of the worst player and the median, and the players at ≥ 99 %. */
  share_min: shares[0] ?? 0,
  share_p50: shares[Math.floor(shares.length / 2)] ?? 0,
  viewers_99: shares.filter((s) => s >= 0.99).length,
  stages: proto === "srt"
    ? {
      ts_cc_errors: stats.reduce((a, s) => a + s.ccErrors, 0),
      ts_sync_errors: stats.reduce((a, s) => a + s.syncErrors, 0),
      players_with_cc_errors: stats.filter((s) => s.ccErrors > 0).length,
    }
    : undefined,
};
console.log(JSON.stringify(out));
ac.abort();
await Promise.race([Promise.allSettled(runs), new Promise((r) => setTimeout(r, 3000))]);
Deno.exit(0);
