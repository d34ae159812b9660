/**
 * The real server in-process for end-to-end tests: `createServer` from src/server.ts with the
 * built-in defaults, every listener on 127.0.0.1 and a free port, its own temporary root, and its
 * log lines kept in memory. A test states only what it changes (`{ http: { hlsduration: 2 } }`,
 * `{ srt: { enable: false } }`), so the options can never drift from what production runs.
 */
import {
  type Config,
  defaultConfig,
  parseConfig,
  parsePolicy,
  type SectionName,
} from "../../src/config/mod.ts";
import type { Hub } from "../../src/core/mod.ts";
import { MemorySink } from "../../src/log/mod.ts";
import { createServer, type EstuaryServer } from "../../src/server.ts";
import { makeTestCert } from "./media.ts";

type DeepPartial<T> = T extends readonly unknown[] ? T
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> }
  : T;

/** Any part of the config; nested sections merge into the defaults. */
export type PartialConfig = DeepPartial<Config>;

export interface TestServerOptions {
  /** Files to create under the root, by relative path (`html/index.html`, `vod/a.flv`). */
  files?: Record<string, string | Uint8Array>;
  /** Folders of this repository to copy into the root (e.g. `html`). */
  copy?: string[];
  /**
   * A self-signed certificate for 127.0.0.1 in the root, with RTMPS, HTTPS and RTSPS on (free
   * ports). The partial config may still turn a section's `ssl` off.
   */
  tls?: boolean;
  /** policy.xml text (forwarding); none = no forwarding. */
  policy?: string;
}

export interface TestServer {
  readonly server: EstuaryServer;
  readonly hub: Hub;
  /** The temporary root (html/, vod/, rec/ resolve here); removed by close(). */
  readonly root: string;
  /** Every log line so far (the server's log level applies: `{ log: { level: "debug" } }`). */
  readonly lines: string[];
  /** Bound ports by listener name (rtmp, rtmps, http, https, rtsp, rtsps, srt); 0 = off. */
  readonly ports: Record<string, number>;
  /** The test certificate when started with `tls: true`. */
  readonly cert?: { cert: string; key: string; certFile: string; keyFile: string };
  port(name: string): number;
  rtmp(path: string): string;
  rtmps(path: string): string;
  http(path: string): string;
  https(path: string): string;
  ws(path: string): string;
  wss(path: string): string;
  rtsp(path: string): string;
  rtsps(path: string): string;
  /** An SRT caller URL; the stream id goes in raw (ffmpeg 5.1 does not decode it). */
  srt(streamId: string, params?: Record<string, string | number>): string;
  /** A service's typed stats (`ts.stats<SrtStats>("srt")`). */
  stats<T>(service: string): T;
  /**
   * Merges `partial` into the running config and reloads (with a new policy.xml text when given);
   * returns the changed sections.
   */
  reload(partial: PartialConfig, policy?: string): Promise<SectionName[]>;
  /** Stops the server and removes its root. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const REPO = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** Plain objects merge key by key; anything else (arrays included) replaces. */
function merge(base: unknown, over: unknown): unknown {
  const plain = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array);
  if (!plain(base) || !plain(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/**
 * Validates like a config file would (derived fields such as `rtmp.liveApps` and `authurl.url` are
 * recomputed, and a bad value throws the same ConfigError).
 */
export function testConfig(base: Config, partial: PartialConfig): Config {
  return parseConfig(merge(base, partial));
}

/** Loopback and free ports for every listener; one RTP range per server, so parallel test files rarely meet. */
function loopback(): PartialConfig {
  const ip = "127.0.0.1";
  const rtpMin = 20000 + 2 * Math.floor(Math.random() * 15000);
  return {
    rtmp: { ip, port: 0, sport: 0 },
    http: { ip, port: 0, sport: 0 },
    rtsp: { ip, port: 0, sport: 0 },
    srt: { ip, port: 0 },
    rtp: { min: rtpMin, max: rtpMin + 399 },
    log: { file: false },
  };
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

async function prepareRoot(root: string, opts: TestServerOptions): Promise<void> {
  for (const dir of ["html", "vod"]) await Deno.mkdir(`${root}/${dir}`, { recursive: true });
  for (const dir of opts.copy ?? []) await copyTree(`${REPO}/${dir}`, `${root}/${dir}`);
  for (const [path, body] of Object.entries(opts.files ?? {})) {
    const file = `${root}/${path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    if (typeof body === "string") await Deno.writeTextFile(file, body);
    else await Deno.writeFile(file, body);
  }
}

/** Starts the real server (see the module comment); close() it in the test's `finally`. */
export async function startTestServer(
  partial: PartialConfig = {},
  opts: TestServerOptions = {},
): Promise<TestServer> {
  const root = await Deno.makeTempDir({ prefix: "estuary-test-" });
  const sink = new MemorySink(50_000);
  let server: EstuaryServer | undefined;
  try {
    await prepareRoot(root, opts);
    let base = testConfig(defaultConfig(), loopback());
    const cert = opts.tls ? await makeTestCert(root) : undefined;
    if (cert) {
      base = testConfig(base, {
        ssl: { servercert: cert.certFile, serverkey: cert.keyFile },
        rtmp: { ssl: true },
        http: { ssl: true },
        rtsp: { ssl: true },
      });
    }
    server = createServer({
      config: testConfig(base, partial),
      policy: opts.policy === undefined ? undefined : parsePolicy(opts.policy, "test policy").policy,
      root,
      configFile: null,
      sinks: [sink],
    });
    await server.start();
    return testServer(server, root, sink.lines, cert);
  } catch (err) {
    await server?.stop().catch(() => {});
    await Deno.remove(root, { recursive: true }).catch(() => {});
    throw err;
  }
}

function testServer(
  server: EstuaryServer,
  root: string,
  lines: string[],
  cert: TestServer["cert"],
): TestServer {
  const host = "127.0.0.1";
  const port = (name: string) => {
    const p = server.port(name);
    if (p === 0) throw new Error(`the test server has no ${name} listener (is it enabled in the config?)`);
    return p;
  };
  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      await server.stop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    })();
  return {
    server,
    hub: server.hub,
    root,
    lines,
    cert,
    get ports() {
      return Object.fromEntries(Object.entries(server.status()).map(([k, v]) => [k, v.port]));
    },
    port,
    rtmp: (p) => `rtmp://${host}:${port("rtmp")}${p}`,
    rtmps: (p) => `rtmps://${host}:${port("rtmps")}${p}`,
    http: (p) => `http://${host}:${port("http")}${p}`,
    https: (p) => `https://${host}:${port("https")}${p}`,
    ws: (p) => `ws://${host}:${port("http")}${p}`,
    wss: (p) => `wss://${host}:${port("https")}${p}`,
    rtsp: (p) => `rtsp://${host}:${port("rtsp")}${p}`,
    rtsps: (p) => `rtsps://${host}:${port("rtsps")}${p}`,
    srt(streamId, params = {}) {
      const extra = Object.entries(params).map(([k, v]) => `${k}=${v}&`).join("");
      return `srt://${host}:${port("srt")}?${extra}streamid=${streamId}`;
    },
    stats<T>(service: string): T {
      const svc = server.service(service);
      if (!svc) throw new Error(`the test server has no running ${service} service`);
      return svc.stats() as T;
    },
    reload: (partial, policy) =>
      server.reload(
        testConfig(server.config, partial),
        policy === undefined ? undefined : parsePolicy(policy, "test policy").policy,
      ),
    close,
    [Symbol.asyncDispose]: close,
  };
}
