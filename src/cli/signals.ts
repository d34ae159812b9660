/**
 * Which signals stop and reload the server, per OS. On Windows the program listens to SIGINT (Ctrl+C)
 * and SIGBREAK (Ctrl+Break), which every Deno 2 release delivers there, and reloads only when its
 * config file is saved (no SIGHUP). POSIX systems stop on SIGINT and SIGTERM (systemd, docker stop)
 * and reload on SIGHUP. A signal the runtime refuses to listen to is skipped with a warning instead
 * of ending the program.
 */

export interface SignalPlan {
  stop: Deno.Signal[];
  reload: Deno.Signal[];
}

export function signalsFor(os: typeof Deno.build.os): SignalPlan {
  if (os === "windows") return { stop: ["SIGINT", "SIGBREAK"], reload: [] };
  return { stop: ["SIGINT", "SIGTERM"], reload: ["SIGHUP"] };
}

export interface SignalHandlers {
  stop(signal: Deno.Signal): void;
  reload(signal: Deno.Signal): void;
  /** Told about a signal that could not be listened to (default: a line on stderr). */
  refused?(signal: Deno.Signal, err: Error): void;
}

export interface SignalApi {
  add(signal: Deno.Signal, fn: () => void): void;
  remove(signal: Deno.Signal, fn: () => void): void;
}

const DENO_SIGNALS: SignalApi = {
  add: (s, fn) => Deno.addSignalListener(s, fn),
  remove: (s, fn) => Deno.removeSignalListener(s, fn),
};

/** Installs the handlers for this OS; returns a function that removes them. */
export function onSignals(
  handlers: SignalHandlers,
  os: typeof Deno.build.os = Deno.build.os,
  api: SignalApi = DENO_SIGNALS,
): () => void {
  const plan = signalsFor(os);
  const wanted: [Deno.Signal, () => void][] = [
    ...plan.stop.map((s): [Deno.Signal, () => void] => [s, () => handlers.stop(s)]),
    ...plan.reload.map((s): [Deno.Signal, () => void] => [s, () => handlers.reload(s)]),
  ];
  const installed: [Deno.Signal, () => void][] = [];
  for (const [s, fn] of wanted) {
    try {
      api.add(s, fn);
      installed.push([s, fn]);
    } catch (err) {
      if (handlers.refused) handlers.refused(s, err as Error);
      else console.error(`estuary: cannot listen to ${s}: ${(err as Error).message}`);
    }
  }
  return () => {
    for (const [s, fn] of installed) api.remove(s, fn);
  };
}
