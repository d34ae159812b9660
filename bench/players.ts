/**
 * Lean load players for the benchmark: they speak just enough RTMP or HTTP-FLV to start playback,
 * then only count bytes (the load generator must stay cheap, so the server is what we measure).
 * Works against any RTMP server (Estuary, nginx-rtmp, Node-Media-Server).
 */
import { encodeAmf0 } from "../src/formats/amf/mod.ts";

export interface PlayerStats {
  bytes: number;
  connected: boolean;
  /** Saw the start of media (RTMP: a video message; FLV: the "FLV" signature). */
  started: boolean;
  error: string;
  closed: boolean;
}

/** One RTMP chunk (fmt 0, single chunk) carrying a whole small message. */
function rtmpMessage(csid: number, type: number, streamId: number, body: Uint8Array): Uint8Array {
  if (body.length > 128) throw new Error("bench command too long for one 128-byte chunk");
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  out[0] = csid & 0x3f;
  v.setUint32(4, body.length << 8 | type); // bytes 4..6 length, byte 7 type (timestamp 0 in 1..3)
  v.setUint32(8, streamId, true);
  out.set(body, 12);
  return out;
}

function splitChunks(csid: number, type: number, streamId: number, body: Uint8Array): Uint8Array {
  // Commands may exceed 128 bytes (the default chunk size): continuation chunks use fmt 3.
  const parts: number[] = [];
  const head = rtmpMessage(csid, type, streamId, body.subarray(0, 0));
  const v = new DataView(head.buffer);
  v.setUint32(4, body.length << 8 | type);
  parts.push(...head);
  for (let o = 0; o < body.length; o += 128) {
    if (o > 0) parts.push(0xc0 | csid);
    parts.push(...body.subarray(o, o + 128));
  }
  return new Uint8Array(parts);
}

export function rtmpPlayRequest(url: URL): Uint8Array {
  const [, app, ...rest] = url.pathname.split("/");
  const name = rest.join("/") + url.search;
  const tcUrl = `${url.protocol}//${url.host}/${app}`;
  const connect = encodeAmf0("connect", 1, {
    app,
    flashVer: "LNX 9,0,124,2",
    tcUrl,
    fpad: false,
    capabilities: 15,
    audioCodecs: 4071,
    videoCodecs: 252,
    videoFunction: 1,
  });
  const createStream = encodeAmf0("createStream", 2, null);
  const play = encodeAmf0("play", 3, null, name, -1000);
  const setBuffer = new Uint8Array([0, 3, 0, 0, 0, 1, 0, 0, 0x0b, 0xb8]); // SetBufferLength(1, 3000 ms)
  const winAck = new Uint8Array([0, 0x4c, 0x4b, 0x40]); // 5,000,000
  return new Uint8Array([
    ...rtmpMessage(2, 5, 0, winAck),
    ...splitChunks(3, 20, 0, connect),
    ...splitChunks(3, 20, 0, createStream),
    ...splitChunks(8, 20, 1, play),
    ...rtmpMessage(2, 4, 0, setBuffer),
  ]);
}

export async function writeAll(conn: Deno.Conn, bytes: Uint8Array) {
  let o = 0;
  while (o < bytes.length) o += await conn.write(bytes.subarray(o));
}

async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  let o = 0;
  while (o < n) {
    const r = await conn.read(buf.subarray(o));
    if (r === null) throw new Error("closed during handshake");
    o += r;
  }
  return buf;
}

/**
 * The life every TCP load player shares: connect, close the socket when `signal` aborts, `play` on it,
 * and record why it ended (an abort is not an error); `closed` is set last.
 */
export async function tcpPlayer(
  url: URL,
  defaultPort: number,
  stats: { error: string; closed: boolean },
  signal: AbortSignal,
  play: (conn: Deno.Conn) => Promise<void>,
): Promise<void> {
  let conn: Deno.Conn | undefined;
  try {
    conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port || defaultPort) });
    signal.addEventListener("abort", () => {
      try {
        conn?.close();
      } catch { /* closed */ }
    }, { once: true });
    await play(conn);
  } catch (err) {
    if (!signal.aborted) stats.error = (err as Error).message;
  } finally {
    stats.closed = true;
    try {
      conn?.close();
    } catch { /* closed on abort */ }
  }
}

/** Plays an RTMP URL and counts bytes until `signal` aborts. */
export function rtmpPlayer(url: URL, stats: PlayerStats, signal: AbortSignal): Promise<void> {
  return tcpPlayer(url, 1935, stats, signal, async (conn) => {
    const c1 = new Uint8Array(1537);
    c1[0] = 3;
    crypto.getRandomValues(c1.subarray(9, 1537));
    await writeAll(conn, c1);
    const s = await readExactly(conn, 3073);
    await writeAll(conn, s.subarray(1, 1537)); // C2 echoes S1
    await writeAll(conn, rtmpPlayRequest(url));
    stats.connected = true;
    const buf = new Uint8Array(64 * 1024);
    let unacked = 0;
    const ack = new Uint8Array(16);
    while (!signal.aborted) {
      const n = await conn.read(buf);
      if (n === null) break;
      stats.bytes += n;
      unacked += n;
      if (!stats.started && stats.bytes > 4096) stats.started = true;
      if (unacked > 1_000_000) { // Acknowledgement (type 3) so window-enforcing servers keep sending
        unacked = 0;
        ack.set(rtmpMessage(2, 3, 0, new Uint8Array(4)));
        new DataView(ack.buffer).setUint32(12, stats.bytes >>> 0);
        await writeAll(conn, ack);
      }
    }
  });
}

/** Plays an HTTP-FLV URL over a raw socket (no fetch machinery) and counts body bytes. */
export function flvPlayer(url: URL, stats: PlayerStats, signal: AbortSignal): Promise<void> {
  return tcpPlayer(url, 80, stats, signal, async (conn) => {
    await writeAll(
      conn,
      new TextEncoder().encode(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: */*\r\n\r\n`,
      ),
    );
    stats.connected = true;
    const buf = new Uint8Array(64 * 1024);
    let headerDone = false;
    while (!signal.aborted) {
      const n = await conn.read(buf);
      if (n === null) break;
      stats.bytes += n;
      if (!headerDone) {
        const text = new TextDecoder().decode(buf.subarray(0, n));
        if (!/^HTTP\/1\.[01] 200/.test(text)) throw new Error(`bad response: ${text.split("\r\n")[0]}`);
        headerDone = true;
        if (text.includes("FLV")) stats.started = true;
      } else if (!stats.started && stats.bytes > 4096) stats.started = true;
    }
  });
}

/**
 * What every loader reports when its window closes: how many players connected, started, dropped, their
 * first errors, and the bytes each received in the window (`before`: each player's bytes when it opened).
 */
export function windowSummary(stats: PlayerStats[], before: number[], t0: number, t1: number) {
  const deltas = stats.map((s, i) => s.bytes - before[i]).sort((a, b) => a - b);
  return {
    phase: "done",
    n: stats.length,
    window_s: (t1 - t0) / 1000,
    connected: stats.filter((s) => s.connected).length,
    started: stats.filter((s) => s.started).length,
    /** Players whose connection ended before the window closed (dropped by the server or errored). */
    dropped: stats.filter((s) => s.closed).length,
    errors: [...new Set(stats.map((s) => s.error).filter((e) => e))].slice(0, 5),
    bytes_total: deltas.reduce((a, b) => a + b, 0),
    bytes_min: deltas[0] ?? 0,
    bytes_p50: deltas[Math.floor(deltas.length / 2)] ?? 0,
    bytes_max: deltas[deltas.length - 1] ?? 0,
  };
}
