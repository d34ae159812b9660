/**
 * The soak's extra players, as lean as bench/players.ts: an HLS poller (playlist + new segments, like a
 * player would) and an SRT player (srt-live-transmit in a child process). Its RTSP players are the
 * bench's (packet_players.ts rtspTcpPlayer).
 */
import type { PlayerStats } from "./players.ts";

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      r();
    }, { once: true });
  });

/** Polls an HLS playlist every 2 s and fetches each segment once, as a live HLS player does. */
export async function hlsPoller(url: URL, stats: PlayerStats, signal: AbortSignal): Promise<void> {
  const seen = new Set<string>();
  try {
    stats.connected = true;
    while (!signal.aborted) {
      const res = await fetch(url, { signal });
      const text = await res.text();
      if (res.status === 200) {
        for (const line of text.split("\n").map((l) => l.trim())) {
          if (!line || line.startsWith("#") || seen.has(line)) continue;
          seen.add(line);
          const seg = await fetch(new URL(line, url), { signal });
          stats.bytes += (await seg.arrayBuffer()).byteLength;
          stats.started = true;
        }
        if (seen.size > 64) seen.delete(seen.values().next().value!); // bounded: old names expire
      }
      await sleep(2000, signal);
    }
  } catch (err) {
    if (!signal.aborted) stats.error = (err as Error).message;
  } finally {
    stats.closed = true;
  }
}

/** An SRT player: srt-live-transmit for `seconds`, its output discarded; killed on abort. */
export async function srtPlayer(
  url: string,
  seconds: number,
  stats: PlayerStats,
  signal: AbortSignal,
  children: Set<Deno.ChildProcess>,
): Promise<void> {
  const child = new Deno.Command("srt-live-transmit", {
    args: ["-t", String(seconds), "-q", url, "file://con"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  children.add(child);
  stats.connected = true;
  stats.started = true; // srt-live-transmit's output is not counted
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  };
  signal.addEventListener("abort", kill, { once: true });
  const guard = setTimeout(kill, (seconds + 10) * 1000);
  try {
    const st = await child.status;
    if (!signal.aborted && st.code !== 0) stats.error = `srt-live-transmit exited ${st.code}`;
  } finally {
    clearTimeout(guard);
    children.delete(child);
    signal.removeEventListener("abort", kill);
    stats.closed = true;
  }
}
