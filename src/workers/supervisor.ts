/**
 * The supervisor of `<workers>` N: runs N worker processes of this same program (Deno.execPath(); under
 * `deno run`, the same main module and flags), each listening on the shared public ports, and keeps
 * them running. A worker that dies is started again after a back-off (1 s, doubling to 30 s; reset
 * once it has run for a minute), with one log line; the others keep streaming. SIGHUP is passed to
 * every worker (each reloads its config), SIGINT/SIGTERM stop them all gracefully.
 *
 * Processes rather than Deno Workers (threads): a crash or an out-of-memory in one worker ends that
 * worker only, each has its own heap and garbage collector (a GC pause stalls one worker's players,
 * not all), and `kill` / the restart path is the same as for the single-process server.
 */
import type { Logger } from "../log/mod.ts";
import { ControlChannel } from "./control.ts";

/** Environment that makes a process a worker: its slot and the control channel's port. */
export const WORKER_INDEX_ENV = "ESTUARY_WORKER_INDEX";
export const WORKER_CONTROL_ENV = "ESTUARY_WORKER_CONTROL";
/** The workers' shared secret, new each run: a sibling's relay names itself with it on the relay listener. */
export const WORKER_SECRET_ENV = "ESTUARY_WORKER_SECRET";

export interface SupervisorOptions {
  count: number;
  /** The program and its arguments for one worker. */
  command: string;
  args: string[];
  /** Extra environment for every worker (e.g. ports resolved from 0). */
  env: Record<string, string>;
  log: Logger;
  backoff?: { firstMs: number; maxMs: number; stableMs: number };
}

interface Slot {
  index: number;
  child?: Deno.ChildProcess;
  startedAt: number;
  delayMs: number;
  restarts: number;
}

export class Supervisor {
  #secret = crypto.randomUUID();
  #o: SupervisorOptions;
  #control: ControlChannel;
  #slots: Slot[] = [];
  #stopping = false;
  #exits = new Set<Promise<void>>();
  #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(o: SupervisorOptions) {
    this.#o = o;
    this.#control = new ControlChannel(o.log);
  }

  get control(): ControlChannel {
    return this.#control;
  }

  /** Worker pids by slot (undefined while one is restarting). */
  pids(): (number | undefined)[] {
    return this.#slots.map((s) => s.child?.pid);
  }

  start(): void {
    const port = this.#control.listen();
    this.#o.log.info("workers starting", { count: this.#o.count, control_port: port });
    for (let index = 0; index < this.#o.count; index++) {
      const slot: Slot = { index, startedAt: 0, delayMs: 0, restarts: 0 };
      this.#slots.push(slot);
      this.#spawn(slot, port);
    }
  }

  /** Passes a signal (SIGHUP: reload) to every running worker. */
  signal(sig: Deno.Signal): void {
    for (const s of this.#slots) {
      try {
        s.child?.kill(sig);
      } catch { /* exiting */ }
    }
  }

  /** Stops every worker (SIGTERM: each stops gracefully) and waits for them. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const t of this.#timers) clearTimeout(t);
    this.signal("SIGTERM");
    await Promise.all(this.#exits);
    await this.#control.close();
  }

  #spawn(slot: Slot, controlPort: number): void {
    const b = this.#o.backoff ?? { firstMs: 1000, maxMs: 30_000, stableMs: 60_000 };
    const child = new Deno.Command(this.#o.command, {
      args: this.#o.args,
      env: {
        ...this.#o.env,
        // SRT listens on one UDP port, which the kernel does not spread: it runs on worker 0 only.
        ...slot.index > 0 ? { ESTUARY_SRT_ENABLE: "false" } : {},
        [WORKER_INDEX_ENV]: String(slot.index),
        [WORKER_CONTROL_ENV]: String(controlPort),
        [WORKER_SECRET_ENV]: this.#secret,
      },
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    slot.child = child;
    slot.startedAt = Date.now();
    const exit = child.status.then((st) => {
      this.#exits.delete(exit);
      if (slot.child === child) slot.child = undefined;
      this.#control.left(slot.index);
      if (this.#stopping) return;
      // A worker that ran for a while is restarted at once-ish; one that keeps dying waits longer.
      const lived = Date.now() - slot.startedAt;
      slot.delayMs = lived >= b.stableMs
        ? b.firstMs
        : Math.min(b.maxMs, Math.max(b.firstMs, slot.delayMs * 2));
      slot.restarts++;
      this.#o.log.warn("worker exited; restarting", {
        worker: slot.index,
        pid: child.pid,
        code: st.code,
        signal: st.signal ?? undefined,
        restart_in_ms: slot.delayMs,
        restarts: slot.restarts,
      });
      const t = setTimeout(() => {
        this.#timers.delete(t);
        if (!this.#stopping) this.#spawn(slot, controlPort);
      }, slot.delayMs);
      this.#timers.add(t);
    });
    this.#exits.add(exit);
  }
}

/**
 * The command that runs this program again as a worker: the compiled executable with its arguments,
 * or `deno run` with the permissions this process holds in full, the project's config and the main
 * module.
 */
export function workerCommand(o: {
  execPath: string;
  standalone: boolean;
  mainModule: string;
  args: string[];
  /** `--allow-…` flags (see grantedFlags). */
  permissions: string[];
  configFile?: string;
}): { command: string; args: string[] } {
  if (o.standalone) return { command: o.execPath, args: o.args };
  const main = o.mainModule.startsWith("file:") ? new URL(o.mainModule).pathname : o.mainModule;
  const config = o.configFile ? ["--config", o.configFile] : [];
  return { command: o.execPath, args: ["run", ...o.permissions, ...config, main, ...o.args] };
}

/**
 * This process's own command line (Linux's /proc/self/cmdline), to run a worker exactly as the
 * supervisor was run: the same runtime flags (permissions, `--v8-flags`, config), main module and
 * arguments. Undefined where it cannot be read.
 */
export function ownCommandLine(read: () => string = () => Deno.readTextFileSync("/proc/self/cmdline")):
  | { command: string; args: string[] }
  | undefined {
  let argv: string[];
  try {
    argv = read().split("\0");
  } catch {
    return undefined;
  }
  if (argv.at(-1) === "") argv.pop();
  return argv.length > 0 ? { command: Deno.execPath(), args: argv.slice(1) } : undefined;
}

const PERMISSIONS = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;

/** `--allow-<name>` for every permission this process holds without restriction. */
export function grantedFlags(): string[] {
  return PERMISSIONS
    .filter((name) => Deno.permissions.querySync({ name }).state === "granted")
    .map((name) => `--allow-${name}`);
}

/** A free TCP port on the host right now (for a configured 0 that every worker must share). */
export function freePort(hostname: string): number {
  const l = Deno.listen({ hostname, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
