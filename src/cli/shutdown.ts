/**
 * Graceful stop with a hard deadline: the server stops accepting, says each protocol's goodbye and
 * closes its recordings; whatever still hangs when the deadline passes (a peer that never reads, a
 * stuck disk) does not keep the process alive.
 */
import type { Logger } from "../log/mod.ts";

export interface Stoppable {
  readonly log: Logger;
  stop(): Promise<void>;
}

export interface ShutdownOptions {
  /** The hard deadline, ms (5 s: inside systemd's and Docker's default 10 s before SIGKILL). */
  deadlineMs?: number;
  /** Ends the process (tests pass their own). */
  exit?: (code: number) => void;
}

export const STOP_DEADLINE_MS = 5000;

/**
 * Returns the stop handler for the signals. The first call stops the server and exits 0 (1 when
 * the deadline passed); a second stop signal while stopping exits at once (Ctrl+C twice).
 */
export function shutdownHandler(server: Stoppable, opts: ShutdownOptions = {}): (signal: string) => void {
  const deadlineMs = opts.deadlineMs ?? STOP_DEADLINE_MS;
  const exit = opts.exit ?? ((code: number) => Deno.exit(code));
  let stopping = false;
  let exited = false;
  const end = (code: number) => {
    if (exited) return;
    exited = true;
    exit(code);
  };
  return (signal: string) => {
    if (stopping) {
      server.log.warn("second stop signal: exiting now", { signal });
      end(1);
      return;
    }
    stopping = true;
    const t0 = performance.now();
    server.log.info("stopping", { signal, deadline_ms: deadlineMs });
    const timer = setTimeout(() => {
      server.log.error("stop deadline passed: exiting with work unfinished", { deadline_ms: deadlineMs });
      end(1);
    }, deadlineMs);
    server.stop().then(
      () => {
        clearTimeout(timer);
        server.log.info("stopped", { ms: Math.round(performance.now() - t0) });
        end(0);
      },
      (err) => {
        clearTimeout(timer);
        server.log.error("stop failed", { error: err });
        end(1);
      },
    );
  };
}
