/**
 * Which signals stop and reload the server, per OS. Windows has only SIGINT (Ctrl+C) and SIGBREAK
 * (Ctrl+Break, and what a console window's close sends); adding a listener for SIGTERM or SIGHUP
 * there throws. POSIX systems stop on SIGINT and SIGTERM (systemd, docker stop) and reload on SIGHUP.
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
}

/** Installs the handlers for this OS; returns a function that removes them. */
export function onSignals(handlers: SignalHandlers, os: typeof Deno.build.os = Deno.build.os): () => void {
  const plan = signalsFor(os);
  const installed: [Deno.Signal, () => void][] = [
    ...plan.stop.map((s): [Deno.Signal, () => void] => [s, () => handlers.stop(s)]),
    ...plan.reload.map((s): [Deno.Signal, () => void] => [s, () => handlers.reload(s)]),
  ];
  for (const [s, fn] of installed) Deno.addSignalListener(s, fn);
  return () => {
    for (const [s, fn] of installed) Deno.removeSignalListener(s, fn);
  };
}
