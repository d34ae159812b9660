/**
 * Publish-to-player latency over loopback. A publisher in this process replays the bench FLV at
 * real time and notes when it sent each video frame; a probe player in this process notes when the
 * same frame arrives (matched by a payload fingerprint, so servers that rebase timestamps, like
 * nginx-rtmp, are measured fairly). Meanwhile a load process keeps `players` other players connected.
 */
import { encodeAmf0 } from "../src/formats/amf/mod.ts";
import { FlvTagReader, readFlvTags } from "../src/formats/flv/mod.ts";
import { ChunkReader } from "../src/protocols/rtmp/chunk_stream.ts";
import { chunkMessage } from "../src/protocols/rtmp/chunk_stream.ts";
import type { Source } from "./media.ts";
import type { Peer } from "./peers.ts";
import { rtmpPlayRequest } from "./players.ts";
import type { LatencyResult } from "./types.ts";

const STREAM = "lat";

export function fingerprint(body: Uint8Array): string {
  const tail = body.subarray(Math.max(0, body.length - 12));
  return `${body.length}:${tail.join(",")}`;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array) {
  let o = 0;
  while (o < bytes.length) o += await conn.write(bytes.subarray(o));
}

async function handshake(conn: Deno.Conn) {
  const c1 = new Uint8Array(1537);
  c1[0] = 3;
  await writeAll(conn, c1);
  const s = new Uint8Array(3073);
  let o = 0;
  while (o < s.length) {
    const n = await conn.read(s.subarray(o));
    if (n === null) throw new Error("closed during handshake");
    o += n;
  }
  await writeAll(conn, s.subarray(1, 1537));
}

const CHUNK = 60000;

/** Publishes the FLV file's tags at real time until `signal` aborts; records video send times. */
export async function publisher(url: URL, file: string, sent: Map<string, number>, signal: AbortSignal) {
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  signal.addEventListener("abort", () => conn.close(), { once: true });
  await handshake(conn);
  const [, app, name] = url.pathname.split("/");
  const cmd = (csid: number, sid: number, ...v: Parameters<typeof encodeAmf0>) =>
    chunkMessage({ csid, type: 20, streamId: sid, timestamp: 0, payload: encodeAmf0(...v) }, {
      chunkSize: CHUNK,
    });
  const setChunk = new Uint8Array([0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0xea, 0x60]);
  await writeAll(conn, setChunk);
  await writeAll(
    conn,
    cmd(3, 0, "connect", 1, {
      app,
      tcUrl: `rtmp://${url.host}/${app}`,
      flashVer: "FMLE/3.0",
      type: "nonprivate",
    }),
  );
  await writeAll(conn, cmd(3, 0, "releaseStream", 2, null, name));
  await writeAll(conn, cmd(3, 0, "FCPublish", 3, null, name));
  await writeAll(conn, cmd(3, 0, "createStream", 4, null));
  await new Promise((r) => setTimeout(r, 300));
  await writeAll(conn, cmd(8, 1, "publish", 5, null, name, "live"));
  await new Promise((r) => setTimeout(r, 300));
  (async () => { // discard the server's replies
    const buf = new Uint8Array(16384);
    try {
      while ((await conn.read(buf)) !== null) { /* drain */ }
    } catch { /* closed */ }
  })();
  const { tags } = readFlvTags(await Deno.readFile(file));
  const t0 = performance.now();
  try {
    for (const tag of tags) {
      if (signal.aborted) break;
      const due = t0 + tag.timestamp;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const csid = tag.type === 9 ? 6 : tag.type === 8 ? 4 : 5;
      const msg = chunkMessage({
        csid,
        type: tag.type,
        streamId: 1,
        timestamp: tag.timestamp,
        payload: tag.body,
      }, {
        chunkSize: CHUNK,
      });
      if (tag.type === 9 && tag.body.length > 16) sent.set(fingerprint(tag.body), performance.now());
      await writeAll(conn, msg);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

export async function rtmpProbe(url: URL, onVideo: (body: Uint8Array) => void, signal: AbortSignal) {
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  signal.addEventListener("abort", () => conn.close(), { once: true });
  await handshake(conn);
  await writeAll(conn, rtmpPlayRequest(url));
  const reader: ChunkReader = new ChunkReader((m) => {
    if (m.type === 1) {
      reader.setChunkSize(new DataView(m.payload.buffer, m.payload.byteOffset).getUint32(0) & 0x7fffffff);
    } else if (m.type === 9) onVideo(m.payload);
  });
  const buf = new Uint8Array(65536);
  try {
    while (!signal.aborted) {
      const n = await conn.read(buf);
      if (n === null) break;
      reader.push(buf.slice(0, n));
    }
  } catch { /* closed */ }
}

export async function flvProbe(url: URL, onVideo: (body: Uint8Array) => void, signal: AbortSignal) {
  const res = await fetch(url, { signal });
  const reader = new FlvTagReader();
  try {
    for await (const chunk of res.body!) {
      for (const tag of reader.push(chunk)) if (tag.type === 9) onVideo(tag.body);
    }
  } catch { /* aborted */ }
}

export async function measureLatency(
  peer: Peer,
  proto: "rtmp" | "flv",
  opts: { players: number; seconds: number; src: Source },
): Promise<LatencyResult> {
  const ac = new AbortController();
  const sent = new Map<string, number>();
  const samples: number[] = [];
  const pub = publisher(new URL(peer.rtmpUrl(STREAM)), opts.src.file, sent, ac.signal);
  await new Promise((r) => setTimeout(r, 1500));
  const playUrl = proto === "rtmp" ? peer.rtmpUrl(STREAM) : peer.flvUrl(STREAM);
  const load = opts.players > 0
    ? new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./load.ts", import.meta.url).pathname,
        "--proto",
        proto,
        "--url",
        playUrl,
        "--n",
        String(opts.players),
        "--warmup",
        "1",
        "--seconds",
        String(opts.seconds + 2),
      ],
      stdout: "null",
      stderr: "inherit",
      env: { RUST_BACKTRACE: "0" },
    }).spawn()
    : undefined;
  await new Promise((r) => setTimeout(r, 2000));
  const onVideo = (body: Uint8Array) => {
    const at = sent.get(fingerprint(body));
    if (at !== undefined) samples.push(performance.now() - at);
  };
  const probe = proto === "rtmp"
    ? rtmpProbe(new URL(playUrl), onVideo, ac.signal)
    : flvProbe(new URL(playUrl), onVideo, ac.signal);
  // Skip the GOP-cache burst at join: only frames sent after the probe joined count.
  await new Promise((r) => setTimeout(r, 1500));
  samples.length = 0;
  await new Promise((r) => setTimeout(r, opts.seconds * 1000));
  ac.abort();
  await Promise.allSettled([pub, probe]);
  await load?.status;
  samples.sort((a, b) => a - b);
  const q = (p: number) =>
    samples.length ? samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] : NaN;
  return {
    peer: peer.name,
    proto,
    players: opts.players,
    p50_ms: q(0.5),
    p99_ms: q(0.99),
    samples: samples.length,
  };
}
