/** SRT helpers for tests: srt-live-transmit as a puller, and waiting for the server's sessions to end. */
import type { SrtServer } from "../../src/protocols/srt/mod.ts";
import type { TestServer } from "./test_server.ts";

export type SrtServerStats = ReturnType<SrtServer["stats"]>;

/** The test server's SRT stats (sessions, per-session list). */
export function srtStats(ts: TestServer): SrtServerStats {
  return ts.stats<SrtServerStats>("srt");
}

/** Waits until the server holds no SRT session. */
export async function waitNoSessions(ts: TestServer, timeoutMs = 12_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (srtStats(ts).sessions > 0) {
    if (Date.now() > end) {
      throw new Error(`${srtStats(ts).sessions} SRT sessions still open after ${timeoutMs} ms`);
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
