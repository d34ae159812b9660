/**
 * The process's own families, with the names Prometheus' client libraries use (so standard
 * dashboards and the soak read them): resident memory, CPU seconds, start time, and the V8 heap
 * (nodejs_heap_size_* as prom-client names them; Deno runs V8 as Node does).
 */
import process from "node:process";
import type { MetricFamily } from "./family.ts";

export function processFamilies(startedAt: Date): MetricFamily[] {
  const mem = Deno.memoryUsage();
  const cpu = process.cpuUsage();
  const gauge = (name: string, help: string, value: number): MetricFamily => ({
    name,
    help,
    type: "gauge",
    samples: [{ labels: {}, value }],
  });
  return [
    gauge("process_resident_memory_bytes", "Resident memory of the process.", mem.rss),
    {
      name: "process_cpu_seconds_total",
      help: "User and system CPU time of the process.",
      type: "counter",
      samples: [{ labels: {}, value: (cpu.user + cpu.system) / 1e6 }],
    },
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
