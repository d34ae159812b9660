/**
 * The dashboard's one poll: process CPU and memory, uptime and version, and running totals the page
 * turns into rates (bytes in/out) plus what is open now (streams, players per protocol, connections
 * per listener). Totals, not rates, so any poll interval gives correct rates and nothing is kept here.
 */
import process from "node:process";
import type { Hub } from "../core/mod.ts";
import type { MetricFamily } from "../metrics/mod.ts";

export interface Overview {
  time: number;
  uptime: number;
  version: string;
  /** Process CPU seconds (user + system) since start: the page divides the difference by elapsed time. */
  cpuSeconds: number;
  cores: number;
  memory: { rss: number; heapUsed: number; heapTotal: number };
  streams: number;
  players: Record<string, number>;
  connections: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
}

const sum = (f: MetricFamily | undefined) => (f?.samples ?? []).reduce((n, s) => n + s.value, 0);

export function overview(hub: Hub, families: MetricFamily[], startedAt: Date, version: string): Overview {
  const byName = new Map(families.map((f) => [f.name, f]));
  const players: Record<string, number> = {};
  for (const s of hub.streams()) {
    for (const [proto, n] of s.players) players[proto] = (players[proto] ?? 0) + n;
  }
  const connections: Record<string, number> = {};
  for (const s of byName.get("estuary_listener_conns")?.samples ?? []) {
    connections[s.labels?.listener ?? "?"] = s.value;
  }
  const cpu = process.cpuUsage();
  const mem = Deno.memoryUsage();
  return {
    time: Date.now(),
    uptime: Math.floor((Date.now() - startedAt.getTime()) / 1000),
    version,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    cores: navigator.hardwareConcurrency ?? 1,
    memory: { rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal },
    streams: hub.streams().length,
    players,
    connections,
    bytesIn: sum(byName.get("paths_inbound_bytes")),
    bytesOut: sum(byName.get("paths_outbound_bytes")),
  };
}
