/** Process metrics from /proc (Linux): CPU time of a process tree and its memory. */

const TICKS = 100; // USER_HZ on Linux

/** Children of every thread of `pid` (a child spawned from a worker thread is listed under that thread). */
function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        const kids = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/children`).trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      } catch { /* thread gone */ }
    }
  } catch { /* exited */ }
  return out;
}

/** The pid and all its descendants (nginx's master and workers, for one). */
export function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...children(out[i]));
  return out;
}

/**
 * CPU seconds (user + system) used so far by a process tree: the live processes' own time plus the time
 * of children they have already reaped (cutime, cstime), so a loader whose child processes end before
 * the last reading still counts them.
 */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of tree(pid)) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${p}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime, stime, cutime, cstime (fields 14–17)
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch { /* exited */ }
  }
  return ticks / TICKS;
}

/** Times the process tree's threads slept waiting (voluntary context switches), summed. */
export function wakeups(pid: number): number {
  let n = 0;
  for (const p of tree(pid)) {
    try {
      for (const t of Deno.readDirSync(`/proc/${p}/task`)) {
        try {
          const s = Deno.readTextFileSync(`/proc/${p}/task/${t.name}/status`);
          n += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(s)?.[1] ?? 0);
        } catch { /* thread gone */ }
      }
    } catch { /* exited */ }
  }
  return n;
}

/**
 * Resident and peak resident memory of a process tree, in bytes, and the anonymous part of the resident
 * memory (heaps, buffers: what the processes hold privately; the rest is pages of files, mostly the
 * executable's code, shared with every process that runs it).
 */
export function memory(pid: number): { rss: number; hwm: number; anon: number } {
  let rss = 0, hwm = 0, anon = 0;
  for (const p of tree(pid)) {
    try {
      const status = Deno.readTextFileSync(`/proc/${p}/status`);
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      hwm += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      anon += Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    } catch { /* exited */ }
  }
  return { rss, hwm, anon };
}
