/** The bench's table: raw figures per peer and level, and Estuary's ratios against each peer. */
import type { LatencyResult, Result } from "./types.ts";

const PACKET_PROTOS: string[] = ["rtsp-tcp", "rtsp-udp", "srt"];
const f = (n: number, d = 2) => Number.isFinite(n) ? n.toFixed(d) : "-";

/**
 * The load generator's CPU per delivered gigabit: what the players spent receiving the stream. On
 * loopback part of a send's kernel work can land on the receiving side (a server that writes each
 * message on its own, with Nagle's algorithm on, has its queued bytes sent from the players' ACK
 * processing), so this sits beside the server's own figure.
 */
export function playersCpuPerGbit(r: Result): number {
  if (r.loader_cpu_share === undefined || !(r.delivered_gbit > 0)) return NaN;
  return r.loader_cpu_share * r.window_s / r.delivered_gbit;
}

/**
 * One row per server and level from repeated rounds: the round whose CPU per gigabit is the median
 * (the lower middle one for an even count), so every figure in a row comes from the same measurement.
 * Rows keep the order of their first round.
 */
export function medianRounds(runs: Result[]): Result[] {
  const groups = new Map<string, Result[]>();
  for (const r of runs) {
    const key = `${r.peer}|${r.proto}|${r.profile}|${r.n}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((g) => {
    const sorted = [...g].sort((a, b) => a.cpu_per_gbit - b.cpu_per_gbit);
    return sorted[(sorted.length - 1) >> 1];
  });
}

export function formatTable(
  results: Result[],
  latency: LatencyResult[],
  notes: string[],
  info: { mode: string },
): string {
  const lines: string[] = [];
  lines.push(
    `# Estuary fan-out bench (${info.mode}) — ${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores`,
  );
  lines.push("");
  lines.push(
    "| server | proto | bitrate | players | connected | dropped | min share | delivered Gbit | CPU s | CPU s/Gbit | players' CPU s/Gbit | RSS/player KB | anon/player KB | peak RSS MB |",
  );
  lines.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    lines.push(
      `| ${r.peer} | ${r.proto} | ${r.profile} | ${r.n} | ${r.connected} | ${r.dropped} | ${
        f(r.min_share * 100, 1)
      } % | ` +
        `${f(r.delivered_gbit, 3)} | ${f(r.cpu_s)} | ${f(r.cpu_per_gbit, 3)} | ${
          f(playersCpuPerGbit(r), 3)
        } | ${f(r.rss_growth_per_player_kb, 1)} | ${f(r.anon_growth_per_player_kb ?? NaN, 1)} | ${
          f(r.peak_rss_mb, 0)
        } |`,
    );
  }
  const peers = [...new Set(results.map((r) => r.peer))].filter((p) => p !== "estuary");
  if (peers.length) {
    lines.push("");
    lines.push("Estuary's CPU per delivered gigabit as a ratio of each peer's (lower is better):");
    lines.push("");
    lines.push(`| proto | bitrate | players | ${peers.map((p) => `vs ${p}`).join(" | ")} |`);
    lines.push(`|---|---|---|${peers.map(() => "---").join("|")}|`);
    for (const r of results.filter((r) => r.peer === "estuary")) {
      const cells = peers.map((p) => {
        const o = results.find((x) =>
          x.peer === p && x.proto === r.proto && x.profile === r.profile && x.n === r.n
        );
        return o ? `${f(r.cpu_per_gbit / o.cpu_per_gbit)}×` : "-";
      });
      lines.push(`| ${r.proto} | ${r.profile} | ${r.n} | ${cells.join(" | ")} |`);
    }
  }
  const wheps = results.filter((r) => r.proto === "whep");
  if (wheps.length) {
    lines.push("");
    lines.push(
      "WHEP (werift viewers, video only) against Estuary's own RTMP at the same level, in the same run:",
    );
    lines.push("");
    lines.push(
      "| server | bitrate | viewers | connected | viewers ≥ 99 % packets | min packet share | SRTP checks failed (viewers with all failed) | CPU s/Gbit | × RTMP | KB/viewer | RTMP KB/player |",
    );
    lines.push("|---|---|---|---|---|---|---|---|---|---|---|");
    for (const w of wheps) {
      const r = results.find((x) =>
        x.peer === w.peer && x.proto === "rtmp" && x.profile === w.profile && x.n === w.n
      );
      lines.push(
        `| ${w.peer} | ${w.profile} | ${w.n} | ${w.connected} | ${w.players_99 ?? "-"} | ${
          f(w.min_share * 100, 1)
        } % | ${w.auth_failures ?? "-"}/${w.auth_checks ?? "-"} (${w.auth_all_failed_viewers ?? "-"}) | ${
          f(w.cpu_per_gbit, 3)
        } | ${r ? `${f(w.cpu_per_gbit / r.cpu_per_gbit)}×` : "-"} | ${f(w.rss_growth_per_player_kb, 1)} | ${
          r ? f(r.rss_growth_per_player_kb, 1) : "-"
        } |`,
      );
    }
  }
  const packets = results.filter((r) => PACKET_PROTOS.includes(r.proto));
  if (packets.length) {
    lines.push("");
    lines.push(
      "RTSP and SRT (packet share: RTP packets over their sequence numbers' span; SRT packets delivered over delivered + dropped), each Estuary row against the peer and Estuary's RTMP at the same level in the same run:",
    );
    lines.push("");
    lines.push(
      "| server | proto | bitrate | players | connected | players ≥ 99 % packets | min packet share | CPU s/Gbit | Estuary × peer | × Estuary RTMP | RSS/player KB | loader CPU |",
    );
    lines.push("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of packets) {
      const same = (x: Result, peer: (p: string) => boolean, proto = r.proto) =>
        peer(x.peer) && x.proto === proto && x.profile === r.profile && x.n === r.n;
      const peer = r.peer === "estuary" ? results.find((x) => same(x, (p) => p !== "estuary")) : undefined;
      const rtmp = results.find((x) => same(x, (p) => p === r.peer, "rtmp"));
      lines.push(
        `| ${r.peer} | ${r.proto} | ${r.profile} | ${r.n} | ${r.connected} | ${r.players_99 ?? "-"} | ${
          f(r.min_share * 100, 1)
        } % | ${f(r.cpu_per_gbit, 3)} | ${
          peer ? `${f(r.cpu_per_gbit / peer.cpu_per_gbit)}× ${peer.peer}` : ""
        } | ${rtmp ? `${f(r.cpu_per_gbit / rtmp.cpu_per_gbit)}×` : ""} | ${
          f(r.rss_growth_per_player_kb, 1)
        } | ${r.loader_cpu_share !== undefined ? f(r.loader_cpu_share) : "-"} |`,
      );
    }
  }
  if (latency.length) {
    lines.push("");
    lines.push("| server | proto | other players | latency p50 ms | p99 ms | samples |");
    lines.push("|---|---|---|---|---|---|");
    for (const l of latency) {
      lines.push(
        `| ${l.peer} | ${l.proto} | ${l.players} | ${f(l.p50_ms, 1)} | ${f(l.p99_ms, 1)} | ${l.samples} |`,
      );
    }
  }
  for (const n of notes) lines.push(`\nNote: ${n}`);
  return lines.join("\n");
}
