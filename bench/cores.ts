/**
 * How a server's CPU splits: per process of its tree (the supervisor and each worker with
 * `<workers>`), and per core of the machine (/proc/stat) over a measurement window. The load
 * generator shares the machine, so the per-core figures include it; the per-process ones do not.
 */
import { tree } from "./proc.ts";

const TICKS = 100; // USER_HZ on Linux

function processTicks(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** busy and total ticks of each core. */
function coreTicks(): { busy: number; total: number }[] {
  const out: { busy: number; total: number }[] = [];
  for (const line of Deno.readTextFileSync("/proc/stat").split("\n")) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2].trim().split(/\s+/).map(Number);
    const idle = v[3] + (v[4] ?? 0); // idle + iowait
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out.push({ busy: total - idle, total });
  }
  return out;
}

export interface CpuSnapshot {
  byPid: Map<number, number>;
  cores: { busy: number; total: number }[];
}

export function snapshot(pid: number): CpuSnapshot {
  return { byPid: new Map(tree(pid).map((p) => [p, processTicks(p)])), cores: coreTicks() };
}

/** CPU seconds of each process that ran between the snapshots (largest first), and each core's busy %. */
export function split(a: CpuSnapshot, b: CpuSnapshot): { processes: number[]; cores: number[] } {
  const processes = [...b.byPid.entries()]
    .map(([p, t]) => (t - (a.byPid.get(p) ?? 0)) / TICKS)
    .filter((s) => s >= 0.05)
    .sort((x, y) => y - x);
  const cores = b.cores.map((c, i) => {
    const d = c.total - (a.cores[i]?.total ?? 0);
    return d > 0 ? (100 * (c.busy - (a.cores[i]?.busy ?? 0))) / d : 0;
  });
  return { processes, cores };
}
