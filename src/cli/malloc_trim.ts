/**
 * Gives the C allocator's free memory back to the system every 30 s (glibc's `malloc_trim(0)`,
 * through Deno's FFI), on Linux with glibc and when the process may use FFI.
 *
 * Why: ArrayBuffers (media frames, socket reads) and the runtime's own buffers come from malloc.
 * After a burst — 500 players reconnecting at once when a publisher restarts, each sent the GOP
 * cache — glibc keeps the freed memory in its heap and hands out fresh pages for the next burst,
 * so RSS climbs in steps and stays up (the soak: +30 MB free memory in 20 minutes, all of it given
 * back by one malloc_trim; docs/reliability.md). `malloc_trim(0)` returns every free whole page in
 * the heap, not only its top; it takes about a millisecond on an idle server.
 *
 * And it fixes glibc's mmap threshold at 128 KiB (`mallopt(M_MMAP_THRESHOLD)`). By default glibc raises
 * that threshold to the size of every larger mmapped block that is freed (up to 32 MiB): from then on
 * blocks of that size come from the heap, where they fragment it. A soak showed it as one step of
 * ~15 MB, at whatever minute a buffer larger than any before was freed, that no trim gave back
 * (the threshold read from the running process had moved to 420 KiB). Fixed, every block of 128 KiB or
 * more (segments, GOP bursts) is its own mapping, given back when freed.
 */
import type { Logger } from "../log/mod.ts";
import type { MetricFamily } from "../metrics/mod.ts";

export const MALLOC_TRIM_EVERY_MS = 30_000;

export interface MallocTrim {
  /** Trims now; the RSS released in bytes (from /proc/self/statm before and after). */
  trim(): number;
  stop(): void;
  readonly stats: { runs: number; releasedBytes: number; ms: number };
}

const symbols = {
  malloc_trim: { parameters: ["usize"], result: "i32" },
  mallopt: { parameters: ["i32", "i32"], result: "i32" },
} as const;
type LibC = Deno.DynamicLibrary<typeof symbols>;

const M_MMAP_THRESHOLD = -3;
/** glibc's own starting value; fixed, it no longer follows the largest block freed. */
export const MMAP_THRESHOLD = 128 * 1024;

/** Why trimming cannot run here, or undefined when it can. */
export function mallocTrimUnavailable(os: typeof Deno.build.os = Deno.build.os): string | undefined {
  if (os !== "linux") return `${os} is not Linux (glibc)`;
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return "no --allow-ffi";
  return undefined;
}

function residentBytes(): number {
  try {
    // statm: size resident shared text lib data dt, in pages (4 KiB on the Linux targets).
    return Number(Deno.readTextFileSync("/proc/self/statm").split(" ")[1]) * 4096;
  } catch {
    return NaN;
  }
}

/**
 * Starts the periodic trim; undefined (with one info line) where it cannot run: not Linux, no FFI
 * permission, or a C library without malloc_trim (musl).
 */
export function startMallocTrim(log: Logger, everyMs = MALLOC_TRIM_EVERY_MS): MallocTrim | undefined {
  const why = mallocTrimUnavailable();
  if (why) {
    log.info("malloc trim off", { why });
    return undefined;
  }
  let lib: LibC;
  try {
    lib = Deno.dlopen("libc.so.6", symbols);
  } catch (err) {
    log.info("malloc trim off", { why: `libc.so.6 has no malloc_trim (${(err as Error).message})` });
    return undefined;
  }
  // 1 on success (glibc); 0 where the C library refuses the value.
  if (lib.symbols.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) !== 1) {
    log.info("malloc mmap threshold not fixed", { bytes: MMAP_THRESHOLD });
  }
  const stats = { runs: 0, releasedBytes: 0, ms: 0 };
  const trim = () => {
    const before = residentBytes(), t0 = performance.now();
    lib.symbols.malloc_trim(0n);
    stats.ms += performance.now() - t0;
    stats.runs++;
    const released = Math.max(0, before - residentBytes());
    if (Number.isFinite(released)) stats.releasedBytes += released;
    return released;
  };
  const timer = setInterval(trim, everyMs);
  Deno.unrefTimer(timer);
  return {
    trim,
    stats,
    stop() {
      clearInterval(timer);
      lib.close();
    },
  };
}

/** The trims as counters for /metrics (the soak reads them). */
export function mallocTrimFamilies(t: MallocTrim): MetricFamily[] {
  const counter = (name: string, help: string, value: number): MetricFamily => ({
    name,
    help,
    type: "counter",
    samples: [{ labels: {}, value }],
  });
  return [
    counter("estuary_malloc_trim_total", "malloc_trim(0) calls.", t.stats.runs),
    counter("estuary_malloc_trim_seconds_total", "Time spent in malloc_trim(0).", t.stats.ms / 1000),
    counter(
      "estuary_malloc_trim_released_bytes_total",
      "Resident memory given back to the system by malloc_trim(0).",
      t.stats.releasedBytes,
    ),
  ];
}
