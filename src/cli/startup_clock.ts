/**
 * Start-up marks, in ms since the runtime's time origin (`performance.now()`): main.ts imports this
 * module first and has no other imports before it, so `FIRST_MODULE_MS` is when the first of our modules
 * ran, after the runtime had fetched and compiled the statically imported module graph.
 * `deno task startup` (tools/startup.ts) reads the "startup" log line built from these.
 */
export const FIRST_MODULE_MS = performance.now();

export interface StartupMarks {
  /** The runtime's time origin, epoch ms: a parent that noted when it spawned us can tell the runtime's own start. */
  origin_ms: number;
  /** The first of our modules ran: the static module graph is loaded and compiled. */
  modules_ms: number;
  /** main() began: every statically imported module has been evaluated. */
  main_ms: number;
  /** Every enabled listener accepts. */
  listening_ms: number;
}

/** The marks for the "startup" log line, rounded to 0.1 ms. */
export function startupMarks(mainMs: number, listeningMs: number = performance.now()): StartupMarks {
  const r = (ms: number) => Math.round(ms * 10) / 10;
  return {
    origin_ms: r(performance.timeOrigin),
    modules_ms: r(FIRST_MODULE_MS),
    main_ms: r(mainMs),
    listening_ms: r(listeningMs),
  };
}
