const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export interface RunningServer {
  /** Bound ports by service name (rtmp, rtmps, http, https, rtsp, rtsps, srt). */
  ports: Record<string, number>;
  root: string;
  child: Deno.ChildProcess;
  /** Every log line so far. */
  lines: string[];
  http(path: string): string;
  rtmp(path: string): string;
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/**
 * Starts the whole server (main.ts, or `entry`) in a child process on free ports (ESTUARY_*_PORT=0), in a temp
 * root, and waits until every enabled service has logged its port.
 */
export async function startEstuary(opts: {
  env?: Record<string, string>;
  args?: string[];
  root?: string;
  /** Services whose ports to wait for. */
  services?: string[];
  timeoutMs?: number;
  /** A command that runs the server (it must exec it), e.g. ["prlimit", "--nofile=256:256", "--"]. */
  wrap?: string[];
  /** Flags for `deno run` before main.ts (e.g. the compiled program's `--v8-flags=…`). */
  denoFlags?: string[];
  /** Default variables to leave out (e.g. ESTUARY_RTMP_PORT, so the config file's port counts). */
  unsetEnv?: string[];
  /** The entry module, relative to the project folder (e.g. the server bundle's); main.ts by default. */
  entry?: string;
} = {}): Promise<RunningServer> {
  const root = opts.root ?? await Deno.makeTempDir({ prefix: "estuary-test-" });
  const services = opts.services ?? ["rtmp", "http"];
  const argv = [
    Deno.execPath(),
    "run",
    "-A",
    ...(opts.denoFlags ?? []),
    `${ROOT}/${opts.entry ?? "main.ts"}`,
    "--root",
    root,
    ...(opts.args ?? []),
  ];
  const [cmd, ...args] = [...(opts.wrap ?? []), ...argv];
  const env: Record<string, string> = {
    ESTUARY_RTMP_PORT: "0",
    ESTUARY_HTTP_PORT: "0",
    ESTUARY_RTSP_PORT: "0",
    ESTUARY_SRT_PORT: "0",
    ESTUARY_RTMP_SPORT: "0",
    ESTUARY_HTTP_SPORT: "0",
    ESTUARY_RTSP_SPORT: "0",
    ESTUARY_RTMP_IP: "127.0.0.1",
    ESTUARY_HTTP_IP: "127.0.0.1",
    ESTUARY_RTSP_IP: "127.0.0.1",
    ESTUARY_SRT_IP: "127.0.0.1",
    ESTUARY_LOG_FILE: "false",
    RUST_BACKTRACE: "0",
    NO_COLOR: "1",
    ...opts.env,
  };
  for (const name of opts.unsetEnv ?? []) delete env[name];
  const child = new Deno.Command(cmd, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const ports: Record<string, number> = {};
  let ready!: () => void;
  const readyP = new Promise<void>((r) => ready = r);
  const check = () => {
    if (services.every((s) => ports[s] !== undefined)) ready();
  };
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let buf = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      buf += text;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        const m = /listening service=(\w+) port=(\d+)(?: tls_port=(\d+))?/.exec(line);
        if (m) {
          ports[m[1]] = Number(m[2]);
          const tlsName = { rtmp: "rtmps", http: "https", rtsp: "rtsps" }[m[1]];
          if (m[3] && tlsName) ports[tlsName] = Number(m[3]);
          check();
        }
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = await Promise.race([
    readyP.then(() => false),
    child.status.then(() => true),
    new Promise<boolean>((r) => timer = setTimeout(() => r(true), timeoutMs)),
  ]);
  clearTimeout(timer);
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    try {
      child.kill(signal);
    } catch { /* already gone */ }
    const st = await child.status;
    await pumps;
    return st;
  };
  if (failed) {
    await stop("SIGKILL");
    throw new Error(
      `estuary did not start (waiting for ${services.join(", ")}):\n${lines.slice(-30).join("\n")}`,
    );
  }
  return {
    ports,
    root,
    child,
    lines,
    http: (p) => `http://127.0.0.1:${ports.http}${p}`,
    rtmp: (p) => `rtmp://127.0.0.1:${ports.rtmp}${p}`,
    stop,
  };
}
