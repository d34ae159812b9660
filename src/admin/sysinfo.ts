/**
 * smart_rtmpd's `sysinfo`: OS, CPU, memory, load, network interfaces and disks, from node:os and,
 * for disks, `df` where the system has one (Linux, macOS); elsewhere the disk list is empty.
 */
import os from "node:os";

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)}G`;

function runTime(ms: number): string {
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d)}:${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

export interface Disk {
  mounted: string;
  total: number;
  used: number;
  available: number;
  capacity: string;
}

/** Parses `df -kP` output (POSIX format, 1024-byte blocks). */
export function parseDf(text: string): Disk[] {
  const out: Disk[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || !/^\d+$/.test(f[1])) continue;
    out.push({
      mounted: f.slice(5).join(" "),
      total: Number(f[1]) * 1024,
      used: Number(f[2]) * 1024,
      available: Number(f[3]) * 1024,
      capacity: f[4],
    });
  }
  return out;
}

async function disks(): Promise<Disk[]> {
  if (Deno.build.os === "windows") return [];
  try {
    const r = await new Deno.Command("df", { args: ["-kP"], stdout: "piped", stderr: "null" }).output();
    return r.success ? parseDf(new TextDecoder().decode(r.stdout)).filter((d) => d.total > 0) : [];
  } catch {
    return [];
  }
}

/** CPU use per core since the previous call (the first call: since boot). */
let previous: os.CpuInfo[] | undefined;
function cpuUse(): { type: string; speed: number; used: string }[] {
  const now = os.cpus();
  const out = now.map((c, i) => {
    const p = previous?.[i]?.times;
    const t = c.times;
    const busy = (x: os.CpuInfo["times"]) => x.user + x.nice + x.sys + x.irq;
    const total = (x: os.CpuInfo["times"]) => busy(x) + x.idle;
    const dBusy = busy(t) - (p ? busy(p) : 0);
    const dTotal = total(t) - (p ? total(p) : 0);
    return {
      type: c.model,
      speed: c.speed,
      used: `${dTotal > 0 ? ((100 * dBusy) / dTotal).toFixed(1) : "0.0"}%`,
    };
  });
  previous = now;
  return out;
}

export async function sysinfo(startedAt: Date) {
  const nets = Object.entries(os.networkInterfaces()).flatMap(([name, list]) =>
    (list ?? []).map((n) => ({ name, ip: n.address, mask: n.netmask, mac: n.mac, type: n.family }))
  );
  return {
    cpu_arch: os.arch(),
    os_type: os.type(),
    os_platform: os.platform(),
    os_release: os.release(),
    hostname: os.hostname(),
    run_time: runTime(Date.now() - startedAt.getTime()),
    mem_size: gb(os.totalmem()),
    mem_free: gb(os.freemem()),
    process_rss: gb(Deno.memoryUsage().rss),
    cpu_average: os.loadavg(),
    cpu_info: cpuUse(),
    net_interface: nets,
    disk_info: await disks(),
  };
}
