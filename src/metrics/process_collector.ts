/**
 * The process's own families, with the names Prometheus' client libraries use (so standard
 * dashboards and the soak read them): resident memory, CPU seconds, start time, and the V8 heap
 * (nodejs_heap_size_* as prom-client names them; Deno runs V8 as Node does).
 */
import type { MetricFamily } from "./family.ts";

type CpuUsage = () => { user: number; system: number };

/**
 * CPU time in µs. Deno 2.9 has `Deno.cpuUsage` (untyped; node:process's cpuUsage calls it), which spares
 * loading node:process (and Node's path and stream layers with it) at start; if a runtime lacks it,
 * node:process is imported instead and the family appears once it has loaded.
 */
let cpuUsage: CpuUsage | undefined = (Deno as unknown as { cpuUsage?: CpuUsage }).cpuUsage?.bind(Deno);
if (!cpuUsage) void import("node:process").then((p) => cpuUsage = () => p.default.cpuUsage());

export function processFamilies(startedAt: Date): MetricFamily[] {
  const mem = Deno.memoryUsage();
  const cpu = cpuUsage?.();
  const gauge = (name: string, help: string, value: number): MetricFamily => ({
    name,
    help,
    type: "gauge",
    samples: [{ labels: {}, value }],
  });
  return [
    gauge("process_resident_memory_bytes", "Resident memory of the process.", mem.rss),
    ...cpu
      ? [{
        name: "process_cpu_seconds_total",
        help: "User and system CPU time of the process.",
        type: "counter" as const,
        samples: [{ labels: {}, value: (cpu.user + cpu.system) / 1e6 }],
      }]
      : [],
    gauge("process_start_time_seconds", "When the process started (Unix time).", startedAt.getTime() / 1000),
    gauge("nodejs_heap_size_used_bytes", "V8 heap in use.", mem.heapUsed),
    gauge("nodejs_heap_size_total_bytes", "V8 heap allocated.", mem.heapTotal),
    gauge(
      "nodejs_external_memory_bytes",
      "Memory outside the V8 heap held by JavaScript objects (buffers).",
      mem.external,
    ),
  ];
}
