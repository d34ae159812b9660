/** Process metrics from /proc (Linux): CPU time of a process tree and its memory. */

const TICKS = 100; // USER_HZ on Linux

function children(pid: number): number[] {
  try {
    const kids = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim();
    return kids ? kids.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

/** The pid and all its descendants (nginx's master and workers, for one). */
export function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...children(out[i]));
  return out;
}

/** CPU seconds (user + system) used so far by a process tree. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of tree(pid)) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${p}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    } catch { /* exited */ }
  }
  return ticks / TICKS;
}

/** Resident and peak resident memory of a process tree, in bytes. */
export function memory(pid: number): { rss: number; hwm: number } {
  let rss = 0, hwm = 0;
  for (const p of tree(pid)) {
    try {
      const status = Deno.readTextFileSync(`/proc/${p}/status`);
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      hwm += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    } catch { /* exited */ }
  }
  return { rss, hwm };
}
