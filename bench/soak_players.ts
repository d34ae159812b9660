/**
 * The soak's extra players, as lean as bench/players.ts: an RTSP player (TCP interleaved, counts
 * bytes), an HLS poller (playlist + new segments, like a player would) and an SRT player
 * (srt-live-transmit in a child process, since SRT over UDP has no cheap in-process client).
 */
import type { PlayerStats } from "./players.ts";

const enc = new TextEncoder();
const latin1 = new TextDecoder("latin1");

async function writeAll(conn: Deno.Conn, bytes: Uint8Array) {
  let o = 0;
  while (o < bytes.length) o += await conn.write(bytes.subarray(o));
}

export interface RtspResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Reads one RTSP response from `conn`, keeping whatever follows it in `pending`. */
export async function readResponse(conn: Deno.Conn, pending: { buf: Uint8Array }): Promise<RtspResponse> {
  const chunk = new Uint8Array(16 * 1024);
  for (;;) {
    const text = latin1.decode(pending.buf);
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const [first, ...lines] = text.slice(0, end).split("\r\n");
      const headers = new Map<string, string>();
      for (const l of lines) {
        const i = l.indexOf(":");
        if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
      }
      const length = Number(headers.get("content-length") ?? 0);
      if (pending.buf.length >= end + 4 + length) {
        const body = text.slice(end + 4, end + 4 + length);
        pending.buf = pending.buf.slice(end + 4 + length);
        return { status: Number(first.split(" ")[1]), headers, body };
      }
    }
    const n = await conn.read(chunk);
    if (n === null) throw new Error("rtsp: closed before a response");
    const merged = new Uint8Array(pending.buf.length + n);
    merged.set(pending.buf);
    merged.set(chunk.subarray(0, n), pending.buf.length);
    pending.buf = merged;
  }
}

/** The control URL of each media section of an SDP, resolved against `base`. */
export function controls(sdp: string, base: string): string[] {
  const out: string[] = [];
  let inMedia = false;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith("m=")) inMedia = true;
    else if (inMedia && line.startsWith("a=control:")) {
      const c = line.slice("a=control:".length).trim();
      out.push(c.startsWith("rtsp://") ? c : `${base.replace(/\/$/, "")}/${c}`);
    }
  }
  return out;
}

/** DESCRIBE, SETUP (interleaved over TCP) and PLAY, then counts bytes until `signal` aborts. */
export async function rtspPlayer(url: URL, stats: PlayerStats, signal: AbortSignal): Promise<void> {
  let conn: Deno.Conn | undefined;
  try {
    conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port || 554) });
    signal.addEventListener("abort", () => conn?.close(), { once: true });
    const pending = { buf: new Uint8Array(0) };
    let cseq = 0;
    const request = async (method: string, target: string, extra: string[] = []) => {
      const head = [`${method} ${target} RTSP/1.0`, `CSeq: ${++cseq}`, ...extra, "", ""].join("\r\n");
      await writeAll(conn!, enc.encode(head));
      const res = await readResponse(conn!, pending);
      if (res.status !== 200) throw new Error(`rtsp ${method}: ${res.status}`);
      return res;
    };
    const desc = await request("DESCRIBE", url.href, ["Accept: application/sdp"]);
    stats.connected = true;
    const base = desc.headers.get("content-base") ?? url.href;
    let session = "";
    let channel = 0;
    for (const track of controls(desc.body, base)) {
      const res = await request("SETUP", track, [
        `Transport: RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1}`,
        ...(session ? [`Session: ${session}`] : []),
      ]);
      session = (res.headers.get("session") ?? "").split(";")[0];
      channel += 2;
    }
    await request("PLAY", base, [`Session: ${session}`, "Range: npt=0.000-"]);
    stats.bytes += pending.buf.length;
    const buf = new Uint8Array(64 * 1024);
    while (!signal.aborted) {
      const n = await conn.read(buf);
      if (n === null) break;
      stats.bytes += n;
      if (!stats.started && stats.bytes > 4096) stats.started = true;
    }
  } catch (err) {
    if (!signal.aborted) stats.error = (err as Error).message;
  } finally {
    stats.closed = true;
    try {
      conn?.close();
    } catch { /* closed on abort */ }
  }
}

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
