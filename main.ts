/**
 * Estuary command line: flags → config + policy.xml → server. A saved config or policy file (or SIGHUP
 * on POSIX) reloads both live; SIGINT/SIGTERM (SIGINT/SIGBREAK on Windows) stop gracefully within 5 s.
 * Usage: main.ts [--config FILE] [--policy FILE] [--root DIR] [--check-config [FILE]] [--help] [--version]
 */
import { startupMarks } from "./src/cli/startup_clock.ts";
import { type FileWatch, loadConfig, loadPolicy, policyFileFor } from "./src/config/mod.ts";
import { EstuaryError } from "./src/core/errors.ts";
// Not src/cli/mod.ts: --check-config (which knows every service) and the server are imported when used,
// so the supervisor of <workers> loads the config, the CLI's life cycle and src/workers only.
import { onSignals } from "./src/cli/signals.ts";
import { programDir, projectUrl } from "./src/cli/program_dir.ts";
import { reloader, reloadOnChange, watchedFiles } from "./src/cli/reload.ts";
import { shutdownHandler } from "./src/cli/shutdown.ts";
import { type MallocTrim, mallocTrimFamilies, startMallocTrim } from "./src/cli/malloc_trim.ts";
import { tcpSendCounts } from "./src/net/tcp_send.ts";
import { udpSendCounts } from "./src/net/udp_fd.ts";
import { consoleSink, createLogger } from "./src/log/mod.ts";
import { runSupervisor, workerFromEnv } from "./src/workers/run.ts";
import { workersSettings } from "./src/workers/settings.ts";
import { grantedFlags, ownCommandLine, workerCommand } from "./src/workers/supervisor.ts";
import type { WorkerLink } from "./src/workers/link.ts";
import denoJson from "./deno.json" with { type: "json" };

const VERSION = denoJson.version;

const HELP =
  `Estuary ${VERSION}: a live streaming media server (RTMP, HTTP-FLV, WS-FLV, HLS, DASH, RTSP, SRT, WebRTC)

Usage: estuary [--config FILE] [--policy FILE] [--root DIR] [--check-config [FILE]] [--help] [--version]

  --config FILE          config.xml to use (default: <root>/conf/config.xml when it exists, else built-in defaults)
  --policy FILE          policy.xml to use (default: policy.xml beside the config file, else <root>/conf/policy.xml)
  --root DIR             where relative paths (html, vod, rec, logs, data, conf) resolve (default: the program's folder)
  --check-config [FILE]  validate FILE (default: the --config file) and exit: 0 and "ok", or 1 and the error
  --help                 show this help
  --version              print the version

Environment: ESTUARY_<SECTION>_<KEY> overrides a config element, e.g. ESTUARY_RTMP_PORT=1935.
The config file (and policy.xml beside it) is watched: a saved change applies live; SIGHUP also reloads (POSIX).
SIGINT/SIGTERM (Windows: Ctrl+C, Ctrl+Break) stop gracefully: goodbyes sent, recordings closed, exit within 5 s.`;

export interface CliArgs {
  config?: string;
  policy?: string;
  root?: string;
  /** --check-config: the file to check, or "" for the --config (or default) file. */
  checkConfig?: string;
  help: boolean;
  version: boolean;
}

/** Parses flags; throws EstuaryError with one clear message on a bad flag. */
export function parseArgs(argv: string[]): CliArgs {
  const out: CliArgs = { help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new EstuaryError("cli", `flag ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--config":
      case "-c":
        out.config = value();
        break;
      case "--policy":
        out.policy = value();
        break;
      case "--root":
        out.root = value();
        break;
      case "--check-config":
        // The file is optional: the next argument is it unless it is another flag.
        if (inline !== undefined) out.checkConfig = value();
        else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith("-")) out.checkConfig = argv[++i];
        else out.checkConfig = "";
        break;
      case "--help":
      case "-h":
        out.help = true;
        break;
      case "--version":
      case "-v":
        out.version = true;
        break;
      default:
        throw new EstuaryError(
          "cli",
          `unknown flag "${a}": allowed are --config FILE, --policy FILE, --root DIR, --check-config [FILE], --help, --version`,
        );
    }
  }
  return out;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A counter family with one sample per `result` label, from a record of counts. */
function resultCounter(name: string, help: string, counts: Record<string, number>) {
  const samples = Object.entries(counts).map(([result, value]) => ({ labels: { result }, value }));
  return { name, help, type: "counter" as const, samples };
}

async function main(): Promise<number> {
  const mainMs = performance.now();
  let args: CliArgs;
  try {
    args = parseArgs(Deno.args);
  } catch (err) {
    console.error(`estuary: ${(err as Error).message}`);
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  if (args.version) {
    console.log(`estuary ${VERSION}`);
    return 0;
  }
  const root = args.root ?? programDir({
    mainUrl: import.meta.url,
    execPath: Deno.execPath(),
    standalone: Deno.build.standalone,
    os: Deno.build.os,
  });
  const defaultFile = `${root}/conf/config.xml`;
  const file = args.config ?? (exists(defaultFile) ? defaultFile : undefined);
  const envObj = Deno.env.toObject();
  if (args.checkConfig !== undefined) {
    const { checkConfig } = await import("./src/cli/check_config.ts");
    const r = checkConfig({ file: args.checkConfig || file, env: envObj, root });
    for (const w of r.warnings) console.error(`estuary: warning: ${w}`);
    if (!r.ok) {
      console.error(`estuary: ${r.error}`);
      return 1;
    }
    console.log(`${r.what}: ok`);
    return 0;
  }
  if (args.policy && !exists(args.policy)) {
    console.error(`estuary: policy file ${args.policy} (--policy) does not exist`);
    return 1;
  }
  const policyFile = args.policy ?? policyFileFor(file, root);
  const load = () => {
    const c = loadConfig({ file, env: envObj });
    const p = loadPolicy(policyFile);
    return { config: c.config, policy: p.policy, warnings: [...c.warnings, ...p.warnings] };
  };
  let loaded;
  try {
    loaded = load();
  } catch (err) {
    console.error(`estuary: ${(err as Error).message}`);
    return 1;
  }
  const console_ = createLogger({ level: loaded.config.log.level, sinks: [consoleSink] });
  let worker: WorkerLink | undefined;
  try {
    worker = workerFromEnv(envObj, console_);
  } catch (err) {
    console.error(`estuary: ${(err as Error).message}`);
    return 1;
  }
  if (!worker) {
    const ws = workersSettings(loaded.config);
    if (ws.fallback) console_.warn("workers: one process", { reason: ws.fallback });
    if (ws.count > 1) return await supervise(ws.count, loaded.config, envObj, console_);
  }
  const { createServer } = await import("./src/server.ts");
  const server = createServer({
    worker,
    config: loaded.config,
    policy: loaded.policy,
    policyFile,
    root,
    configFile: file ?? null,
    // The admin API's restart reads the files again and applies them in place.
    load,
  });
  for (const w of loaded.warnings) server.log.warn("config warning", { detail: w });
  // Signals are handled from the start: a stop that arrives while listeners open waits for them.
  const starting = server.start();
  let watch: FileWatch | undefined;
  // deno-lint-ignore prefer-const
  let trim: MallocTrim | undefined;
  const stop = shutdownHandler({
    log: server.log,
    async stop() {
      await starting.catch(() => {});
      watch?.close();
      trim?.stop();
      await server.stop();
    },
  });
  // Every reload trigger (a saved file, SIGHUP) goes through this one function.
  const reload = reloader(async () => {
    await starting;
    const next = load();
    for (const w of next.warnings) server.log.warn("config warning", { detail: w });
    await server.reload(next.config, next.policy);
  }, server.log);
  // A worker outlives no supervisor: one killed outright leaves its workers to stop themselves.
  worker?.watchSupervisor(() => stop("SIGTERM"));
  const removeSignals = onSignals({
    stop,
    reload: (signal) => void reload(signal),
    refused: (signal, err) => server.log.warn("cannot listen to a signal", { signal, error: err }),
  });
  try {
    await starting;
  } catch (err) {
    removeSignals();
    server.log.error("startup failed", { error: err });
    await server.stop();
    return 1;
  }
  // ms since the runtime's time origin: module graph loaded, main() began, every listener accepts.
  server.log.info("startup", { ...startupMarks(mainMs) });
  // Freed C-heap memory back to the system every 30 s (src/cli/malloc_trim.ts).
  trim = startMallocTrim(server.log);
  if (trim) server.metrics.register("malloc_trim", () => mallocTrimFamilies(trim!));
  // Fan-out deliveries that went straight onto the socket (src/net/tcp_send.ts), and those that did not.
  server.metrics.register("direct_sends", () => [
    resultCounter(
      "estuary_tcp_direct_sends_total",
      "Synchronous sends on a player's TCP socket: all bytes taken (whole), or part/none (the rest written async).",
      tcpSendCounts,
    ),
    // Datagrams sent with one sendto/sendmmsg on the socket's descriptor (src/net/udp_fd.ts).
    resultCounter(
      "estuary_udp_direct_sends_total",
      "Datagrams sent synchronously on a UDP socket (RTSP over UDP, SRT, WebRTC): sent, or refused by the kernel.",
      udpSendCounts,
    ),
  ]);
  // The config file and policy.xml (the --policy one, or the one beside the config file).
  const files = [
    ...new Set([...(file ? watchedFiles(file, exists) : []), ...(exists(policyFile) ? [policyFile] : [])]),
  ];
  if (files.length) watch = reloadOnChange(files, reload, server.log);
  return await new Promise<number>(() => {});
}

/**
 * `<workers>` N: this process runs N workers of the same program and keeps them running; it listens
 * on nothing public itself. SIGHUP reaches every worker (each also watches the config file); SIGINT
 * and SIGTERM stop them all gracefully.
 */
async function supervise(
  count: number,
  config: Parameters<typeof runSupervisor>[0]["config"],
  env: Record<string, string>,
  log: ReturnType<typeof createLogger>,
): Promise<number> {
  const command = ownCommandLine() ?? workerCommand({
    execPath: Deno.execPath(),
    standalone: !!Deno.build.standalone,
    mainModule: Deno.mainModule,
    args: Deno.args,
    permissions: grantedFlags(),
    configFile: Deno.build.standalone
      ? undefined
      : new URL("deno.json", projectUrl(import.meta.url)).pathname,
  });
  const run = runSupervisor({ config, count, command, env, log });
  let stopping: Promise<void> | undefined;
  const done = new Promise<number>((resolve) => {
    onSignals({
      stop: (signal) => {
        log.info("stopping workers", { signal });
        stopping ??= run.stop().then(() => resolve(0));
      },
      reload: (signal) => {
        log.info("reload: passed to every worker", { signal });
        run.supervisor.signal("SIGHUP");
      },
      refused: (signal, err) => log.warn("cannot listen to a signal", { signal, error: err }),
    });
  });
  return await done;
}

if (import.meta.main) Deno.exit(await main());
