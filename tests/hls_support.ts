/** Shared by tests/hls_*, dash_* and rec_* tests: an HTTP server with the HLS/DASH/rec routes. */
import type { Hub } from "../src/core/mod.ts";
import { type Logger, nullLogger } from "../src/log/mod.ts";
import { createHttpApp, createHttpServer, FEATURES, type HttpServer } from "../src/http/mod.ts";
import { defaultHlsOptions, type HlsOptions, hlsRoutes } from "../src/http/hls.ts";
import { type DashOptions, dashRoutes, defaultDashOptions } from "../src/http/dash.ts";
import { recRoutes } from "../src/http/rec.ts";
import type { Frame, Stream } from "../src/core/mod.ts";
import { TsDemuxer } from "../src/formats/mpegts/mod.ts";
import { createRtmpServer, RtmpClient, type RtmpServer } from "../src/protocols/rtmp/mod.ts";
import { testHttpDeps } from "./http_support.ts";
import { run, SRC } from "./support/mod.ts";

export interface MediaServer {
  server: HttpServer;
  base: string;
  close(): Promise<void>;
}

export async function startMediaServer(
  hub: Hub,
  opts: { hls?: Partial<HlsOptions>; dash?: Partial<DashOptions>; recRoot?: string; log?: Logger } = {},
): Promise<MediaServer> {
  const deps = testHttpDeps(hub, {}, opts.log ? { log: opts.log } : {});
  const hls = defaultHlsOptions({ targetMs: 2000, windowSize: 3, cacheSize: 2, ...opts.hls });
  const dash = defaultDashOptions({ segmentMs: 2000, ...opts.dash });
  const app = createHttpApp(deps, [
    ...FEATURES,
    (d) => hlsRoutes(d, hls),
    (d) => dashRoutes(d, dash),
    (d) => recRoutes(d, { root: opts.recRoot ?? "rec" }),
  ]);
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

/** Makes an MPEG-TS file with ffmpeg from TESTING.md's sources (`codecs`: e.g. H265 + AAC). */
export async function makeTs(
  path: string,
  seconds: number,
  codecs: string[],
  size = "640x360",
): Promise<Uint8Array> {
  const r = await run("ffmpeg", [
    "-nostdin",
    "-hide_banner",
    "-loglevel",
    "error",
    ...SRC(seconds, size),
    ...codecs,
    "-f",
    "mpegts",
    "-y",
    path,
  ], { timeoutMs: 90_000 });
  if (r.code !== 0) throw new Error(`ffmpeg could not make ${path}: ${r.stderr}`);
  return await Deno.readFile(path);
}

/**
 * A file of an npm package from Deno's npm cache, fetched there first if needed (`deno cache
 * --no-lock` from a temp folder, so the repo's deno.json and deno.lock are left alone).
 */
export async function npmFile(pkg: string, version: string, path: string): Promise<string> {
  const tmp = await Deno.makeTempDir();
  try {
    const cache = await run("deno", ["cache", "--no-lock", `npm:${pkg}@${version}`], {
      timeoutMs: 120_000,
      cwd: tmp,
    });
    if (cache.code !== 0) throw new Error(`deno cache npm:${pkg}@${version} failed: ${cache.stderr}`);
    const info = await run("deno", ["info", "--json"], { timeoutMs: 20_000, cwd: tmp });
    const npmCache = JSON.parse(info.stdout).npmCache as string;
    const file = `${npmCache}/registry.npmjs.org/${pkg}/${version}/${path}`;
    await Deno.stat(file);
    return file;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** Chromium flags from TESTING.md (headless, no network beyond loopback, autoplay allowed). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--autoplay-policy=no-user-gesture-required",
];

/** An RTMP server on a free loopback port, publishing into `hub`. */
export async function startRtmp(hub: Hub): Promise<RtmpServer> {
  const rtmp = createRtmpServer({ hub, log: nullLogger, hostname: "127.0.0.1", port: 0 });
  await rtmp.start();
  return rtmp;
}

/** Waits until `key` is live with its tracks declared. */
export async function waitLive(hub: Hub, key: string, ms = 15_000): Promise<Stream> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const s = hub.get(key);
    if (s && s.videoTrack && s.audioTrack && s.stats.framesIn > 0) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${key} was not published within ${ms} ms`);
}

/**
 * Publishes a TS file's frames with our RtmpClient (Enhanced RTMP: HEVC as hvc1) at real time,
 * for codecs ffmpeg 5.1's FLV muxer refuses.
 */
export async function rtmpPublishTs(
  url: string,
  ts: Uint8Array,
): Promise<{ done: Promise<void>; stop(): void }> {
  const frames: Frame[] = [];
  const d = new TsDemuxer({ onTrack: () => {}, onFrame: (f) => frames.push(f) });
  d.push(ts);
  d.flush();
  const client = await RtmpClient.connect(url);
  await client.publish({ form: "enhanced" });
  let stopped = false;
  const first = frames[0];
  const base = first.dts / first.track.clockRate;
  const done = (async () => {
    const start = Date.now();
    try {
      for (const f of frames) {
        if (stopped || client.closed) break;
        const wait = start + (f.dts / f.track.clockRate - base) * 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await client.write(f);
      }
    } finally {
      await client.stop();
    }
  })();
  return { done, stop: () => stopped = true };
}
