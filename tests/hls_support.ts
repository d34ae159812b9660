/** Shared by tests/hls_*, dash_* and rec_* tests: an HTTP server with the HLS/DASH/rec routes. */
import type { Hub } from "../src/core/mod.ts";
import { nullLogger } from "../src/log/mod.ts";
import { createHttpApp, createHttpServer, FEATURES, type HttpServer } from "../src/http/mod.ts";
import { defaultHlsOptions, type HlsOptions, hlsRoutes } from "../src/http/hls.ts";
import { testHttpDeps } from "./http_support.ts";
import { run } from "./support/mod.ts";

export interface MediaServer {
  server: HttpServer;
  base: string;
  close(): Promise<void>;
}

export async function startMediaServer(
  hub: Hub,
  opts: { hls?: Partial<HlsOptions> } = {},
): Promise<MediaServer> {
  const deps = testHttpDeps(hub);
  const hls = defaultHlsOptions({ targetMs: 2000, windowSize: 3, cacheSize: 2, ...opts.hls });
  const app = createHttpApp(deps, [...FEATURES, (d) => hlsRoutes(d, hls)]);
  const server = createHttpServer({ app, log: nullLogger, hostname: "127.0.0.1", port: 0 });
  await server.start();
  return {
    server,
    base: `http://127.0.0.1:${server.port}`,
    close: () => server.close(),
  };
}

export async function getText(url: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

export async function getBytes(
  url: string,
): Promise<{ status: number; bytes: Uint8Array; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()), headers: res.headers };
}

/** `frame,1,I` when the first video frame of the file is a keyframe. */
export async function firstFrame(path: string): Promise<string> {
  const r = await run("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_frames",
    "-read_intervals",
    "%+#1",
    "-show_entries",
    "frame=key_frame,pict_type",
    "-of",
    "csv",
    path,
  ], { timeoutMs: 10_000 });
  return r.stdout.trim().split("\n")[0] ?? "";
}
