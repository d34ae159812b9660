/**
 * An ffmpeg player whose video arrives as FLV tags on a pipe, each stamped with the wall clock when
 * it reached the test: the way e2e tests prove a player never stalled while something else happened.
 */
import { requireTool } from "./tools.ts";

/** One video tag as the player received it: when (wall clock) and its FLV timestamp. */
export interface Arrival {
  at: number;
  ts: number;
}

/**
 * An ffmpeg player (RTMP by default; `inputArgs` replace `-rw_timeout 5000000`, e.g. for RTSP) that copies the video to FLV on stdout, flushed per packet; the FLV tags
 * are read as they arrive, so `video` shows when each frame reached the player.
 */
export function flvPlayer(url: string, opts: { inputArgs?: string[] } = {}) {
  requireTool("ffmpeg");
  const child = new Deno.Command("ffmpeg", {
    args: [
      "-nostdin",
      "-hide_banner",
      "-loglevel",
      "error",
      ...(opts.inputArgs ?? ["-rw_timeout", "5000000"]),
      "-i",
      url,
      "-map",
      "0:v:0",
      "-c",
      "copy",
      "-flush_packets",
      "1",
      "-f",
      "flv",
      "pipe:1",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const video: Arrival[] = [];
  const stderr = new Response(child.stderr).text();
  const reading = (async () => {
    let buf = new Uint8Array(0);
    let pos = 13; // FLV header (9) + PreviousTagSize0 (4)
    for await (const chunk of child.stdout) {
      const joined = new Uint8Array(buf.length - Math.min(pos, buf.length) + chunk.length);
      joined.set(buf.subarray(Math.min(pos, buf.length)));
      joined.set(chunk, joined.length - chunk.length);
      pos = Math.max(0, pos - buf.length);
      buf = joined;
      // Tag header: type (1), data size (3), timestamp (3) + extension (1), stream id (3).
      while (pos + 11 <= buf.length) {
        const size = (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
        if (pos + 11 + size + 4 > buf.length) break;
        const ts = ((buf[pos + 7] << 24) | (buf[pos + 4] << 16) | (buf[pos + 5] << 8) | buf[pos + 6]) >>> 0;
        if (buf[pos] === 9) video.push({ at: Date.now(), ts });
        pos += 11 + size + 4;
      }
    }
  })();
  return {
    video,
    async stop(): Promise<string> {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await reading.catch(() => {});
      return await stderr;
    },
  };
}

/** The largest wall-clock and timestamp steps between consecutive video tags after `from`. */
export function gaps(video: Arrival[], from: number): { wallMs: number; tsMs: number } {
  let wallMs = 0, tsMs = 0;
  for (let i = 1; i < video.length; i++) {
    if (video[i - 1].at < from) continue;
    wallMs = Math.max(wallMs, video[i].at - video[i - 1].at);
    tsMs = Math.max(tsMs, video[i].ts - video[i - 1].ts);
  }
  return { wallMs, tsMs };
}
