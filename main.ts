/**
 * Estuary command line: flags → config + policy.xml → server. SIGINT/SIGTERM stop, SIGHUP reloads both.
 * Usage: main.ts [--config FILE] [--policy FILE] [--root DIR] [--help] [--version]
 */
import { loadConfig, loadPolicy, policyFileFor } from "./src/config/mod.ts";
import { createServer } from "./src/server.ts";
import { EstuaryError } from "./src/core/errors.ts";
import denoJson from "./deno.json" with { type: "json" };

const VERSION = denoJson.version;

const HELP =
  `Estuary ${VERSION}: a live streaming media server (RTMP, HTTP-FLV, WS-FLV, HLS, DASH, RTSP, SRT, WebRTC)

Usage: estuary [--config FILE] [--policy FILE] [--root DIR] [--help] [--version]

  --config FILE   config.xml to use (default: <root>/conf/config.xml when it exists, else built-in defaults)
  --policy FILE   policy.xml to use (default: policy.xml beside the config file, else <root>/conf/policy.xml)
  --root DIR      where relative paths (html, vod, rec, logs, data, conf) resolve (default: the program's folder)
  --help          show this help
  --version       print the version

Environment: ESTUARY_<SECTION>_<KEY> overrides a config element, e.g. ESTUARY_RTMP_PORT=1935.`;

export interface CliArgs {
  config?: string;
  policy?: string;
  root?: string;
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
          `unknown flag "${a}": allowed are --config FILE, --policy FILE, --root DIR, --help, --version`,
        );
    }
  }
  return out;
}

/** The program's own folder: beside the executable when compiled, else beside main.ts. */
function programDir(): string {
  const url = new URL(".", import.meta.url);
  if (url.protocol === "file:") return decodeURIComponent(url.pathname).replace(/\/$/, "") || "/";
  return Deno.execPath().replace(/\/[^/]*$/, "");
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
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
  const root = args.root ?? programDir();
  const defaultFile = `${root}/conf/config.xml`;
  const file = args.config ?? (exists(defaultFile) ? defaultFile : undefined);
  const envObj = Deno.env.toObject();
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
  const server = createServer({
    config: loaded.config,
    policy: loaded.policy,
    root,
    configFile: file ?? null,
    // The admin API's restart reads the files again and applies them in place.
    load,
  });
  for (const w of loaded.warnings) server.log.warn("config warning", { detail: w });
  try {
    await server.start();
  } catch (err) {
    server.log.error("startup failed", { error: err });
    await server.stop();
    return 1;
  }
  const stop = async (sig: string) => {
    server.log.info("stopping", { signal: sig });
    await server.stop();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
  Deno.addSignalListener("SIGHUP", async () => {
    try {
      const next = load();
      for (const w of next.warnings) server.log.warn("config warning", { detail: w });
      await server.reload(next.config, next.policy);
    } catch (err) {
      server.log.error("config reload refused; keeping the running config", { error: err });
    }
  });
  return await new Promise<number>(() => {});
}

if (import.meta.main) Deno.exit(await main());
