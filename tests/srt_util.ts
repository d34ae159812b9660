/** Shared setup for the SRT end-to-end tests: a hub and an SRT server on a free port. */
import { createSrtServer, type SrtServer, type SrtServerOptions } from "../src/protocols/srt/mod.ts";
import type { Hub, HubOptions } from "../src/core/mod.ts";
import { createLogger, MemorySink } from "../src/log/mod.ts";
import { testHub } from "./support/mod.ts";

export interface SrtFixture {
  hub: Hub;
  srv: SrtServer;
  port: number;
  /** Log lines, for asserting what the server said. */
  lines: string[];
  /** An ffmpeg/srt-live-transmit URL; the stream id goes in raw (ffmpeg 5.1 does not decode it). */
  url(streamId: string, params?: Record<string, string | number>): string;
  close(): Promise<void>;
}

export async function startSrt(
  opts: Partial<SrtServerOptions> = {},
  hubOptions: Partial<HubOptions> = {},
): Promise<SrtFixture> {
  const hub = testHub(hubOptions);
  const sink = new MemorySink(5000);
  const log = createLogger({ sinks: [sink], level: "debug" });
  const srv = createSrtServer({
    hub,
    log,
    hostname: "127.0.0.1",
    port: 0,
    latencyMs: 120,
    maxIdleMs: 5000,
    ...opts,
  });
  await srv.start();
  const port = srv.port;
  return {
    hub,
    srv,
    port,
    lines: sink.lines,
    url: (streamId, params = {}) => {
      const extra = Object.entries(params).map(([k, v]) => `${k}=${v}`).join("&");
      return `srt://127.0.0.1:${port}?${extra ? extra + "&" : ""}streamid=${streamId}`;
    },
    async close() {
      await srv.close();
      hub.close();
    },
  };
}

/** Waits until the hub has a live stream with video frames flowing. */
export async function waitLive(hub: Hub, key: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const s = hub.get(key);
    if (s?.videoTrack && s.stats.videoFrames > 10) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`stream ${key} did not go live within ${timeoutMs} ms`);
}

/** Waits until the server holds no SRT session. */
export async function waitNoSessions(srv: SrtServer, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (srv.stats().sessions > 0) {
    if (Date.now() > end) {
      throw new Error(`${srv.stats().sessions} SRT sessions still open after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `srt-live-transmit -t <seconds> <url> file://con`: the pulled TS bytes (stdout is binary). */
export async function pullWithSrtLiveTransmit(url: string, seconds: number): Promise<Uint8Array> {
  const child = new Deno.Command("srt-live-transmit", {
    args: ["-t", String(seconds), "-q", url, "file://con"],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const kill = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, (seconds + 5) * 1000);
  const out = await child.output();
  clearTimeout(kill);
  if (out.code !== 0) {
    throw new Error(
      `srt-live-transmit exited ${out.code}: ${new TextDecoder().decode(out.stderr).slice(0, 300)}`,
    );
  }
  return out.stdout;
}
