/**
 * Real third-party clients for end-to-end tests. A missing tool fails the test loudly (never a
 * silent skip): CI installs them all (.ci/run).
 */

const checked = new Map<string, boolean>();

/** Throws unless `name` is on PATH. */
export function requireTool(name: string): void {
  let ok = checked.get(name);
  if (ok === undefined) {
    try {
      const r = new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null", stderr: "null" })
        .outputSync();
      ok = r.success;
    } catch {
      ok = false;
    }
    checked.set(name, ok);
  }
  if (!ok) {
    throw new Error(`required test tool "${name}" is not installed (see TESTING.md; .ci/run installs it)`);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** True when the command was killed at its timeout. */
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs: number;
  stdin?: Uint8Array | ReadableStream<Uint8Array>;
  cwd?: string;
  env?: Record<string, string>;
}

/** Runs a command to completion (or kills it at the timeout) and collects its output. */
export async function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  requireTool(cmd);
  const child = new Deno.Command(cmd, {
    args,
    stdin: opts.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    cwd: opts.cwd,
    env: opts.env,
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, opts.timeoutMs);
  const feed = (async () => {
    if (!opts.stdin) return;
    try {
      if (opts.stdin instanceof Uint8Array) {
        const w = child.stdin.getWriter();
        await w.write(opts.stdin);
        await w.close();
      } else {
        await opts.stdin.pipeTo(child.stdin);
      }
    } catch { /* the child closed its stdin early */ }
  })();
  const out = await child.output();
  clearTimeout(timer);
  await feed;
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr), timedOut };
}

/** Stops a child: SIGTERM, SIGKILL if it is still there after `graceMs`; resolves when it has exited. */
export async function terminate(child: Deno.ChildProcess, graceMs = 3000): Promise<Deno.CommandStatus> {
  try {
    child.kill("SIGTERM");
  } catch { /* gone */ }
  const t = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, graceMs);
  try {
    return await child.status;
  } finally {
    clearTimeout(t);
  }
}

/** A long-running child (a publisher) that the test stops when done. */
export interface Background {
  child: Deno.ChildProcess;
  /** Kills it (SIGTERM, then SIGKILL) and waits; returns its stderr for diagnostics. */
  stop(): Promise<string>;
  /** Resolves when it exits on its own. */
  exited: Promise<Deno.CommandStatus>;
}

export function spawnBackground(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string> } = {},
): Background {
  requireTool(cmd);
  const child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "piped", env: opts.env })
    .spawn();
  const chunks: Uint8Array[] = [];
  const drain = (async () => {
    for await (const c of child.stderr) {
      chunks.push(c);
      if (chunks.length > 200) chunks.shift();
    }
  })();
  const exited = child.status;
  return {
    child,
    exited,
    async stop() {
      await terminate(child);
      await drain;
      return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
    },
  };
}

/**
 * This isolate's heap and array buffers: the server runs in-process, and unlike the process RSS
 * this does not count test files running in parallel beside it.
 */
export function heapBytes(): number {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}
