/**
 * Gives the C allocator's free memory back to the system (glibc's `malloc_trim(0)`, through Deno's
 * FFI) every 30 s, and within 2 s of the resident memory growing by 4 MiB since the last trim, on Linux
 * with glibc and when the process may use FFI.
 *
 * Why: ArrayBuffers (media frames, socket reads) and the runtime's own buffers come from malloc.
 * After a burst — 500 players reconnecting at once when a publisher restarts, each sent the GOP
 * cache — glibc keeps the freed memory in its heap and hands out fresh pages for the next burst,
 * so RSS climbs in steps and stays up (the soak: +30 MB free memory in 20 minutes, all of it given
 * back by one malloc_trim; docs/reliability.md). `malloc_trim(0)` returns every free whole page in
 * the heap, not only its top; it takes about a millisecond on an idle server. A join storm leaves
 * ~13 KB per player of such free memory (500 RTMP players: the C heap 11 → 24 MB, 6.6 MB of it given
 * back by one trim), so growth is checked every 2 s (one read of /proc/self/statm) rather than left
 * for the next 30 s tick; growth that is live data costs one trim that releases nothing, and then the
 * mark moves up with it.
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
/** How often the resident size is compared with the mark left by the last trim. */
export const MALLOC_TRIM_CHECK_MS = 2_000;
/** Growth of the resident size since the last trim that brings the next one forward. */
export const MALLOC_TRIM_GROWTH_BYTES = 4 * 1024 * 1024;
/**
 * After a trim brought forward by growth, one more this much later: a burst's buffers are freed over
 * the following seconds (V8 frees an ArrayBuffer's memory only when it collects the object).
 */
export const MALLOC_TRIM_FOLLOW_UP_MS = 8_000;

export interface MallocTrimTiming {
  everyMs: number;
  checkMs: number;
  growthBytes: number;
  followUpMs: number;
}

/** What the next trim depends on: when the last ran, the resident size after it, a follow-up due. */
export interface TrimState {
  at: number;
  mark: number;
  followUpAt?: number;
}

/**
 * Why a trim is due now, or undefined: `everyMs` since the last one ("period"), the resident size `rss`
 * at least `growthBytes` above the mark the last trim left ("growth"), or the follow-up of a growth
 * trim ("follow-up").
 */
export function trimDue(
  t: Pick<MallocTrimTiming, "everyMs" | "growthBytes">,
  now: number,
  last: TrimState,
  rss: number,
): "period" | "growth" | "follow-up" | undefined {
  if (Number.isFinite(rss) && rss - last.mark >= t.growthBytes) return "growth";
  if (last.followUpAt !== undefined && now >= last.followUpAt) return "follow-up";
  if (now - last.at >= t.everyMs) return "period";
  return undefined;
}

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
export function startMallocTrim(log: Logger, timing: Partial<MallocTrimTiming> = {}): MallocTrim | undefined {
  const t: MallocTrimTiming = {
    everyMs: timing.everyMs ?? MALLOC_TRIM_EVERY_MS,
    checkMs: timing.checkMs ?? MALLOC_TRIM_CHECK_MS,
    growthBytes: timing.growthBytes ?? MALLOC_TRIM_GROWTH_BYTES,
    followUpMs: timing.followUpMs ?? MALLOC_TRIM_FOLLOW_UP_MS,
  };
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
  const last: TrimState = { at: performance.now(), mark: residentBytes() };
  const trimAt = (before: number) => {
    const t0 = performance.now();
    lib.symbols.malloc_trim(0n);
    stats.ms += performance.now() - t0;
    stats.runs++;
    const after = residentBytes();
    last.at = performance.now();
    last.mark = after;
    const released = Math.max(0, before - after);
    if (Number.isFinite(released)) stats.releasedBytes += released;
    return released;
  };
  const trim = () => trimAt(residentBytes());
  const timer = setInterval(() => {
    const rss = residentBytes();
    const why = trimDue(t, performance.now(), last, rss);
    if (!why) return;
    trimAt(rss);
    last.followUpAt = why === "growth" ? last.at + t.followUpMs : undefined;
  }, Math.min(t.checkMs, t.everyMs));
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
