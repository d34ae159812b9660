/**
 * Pull sources: a stream played from another server or a camera and written into a local Stream,
 * by URL scheme: rtsp(s):// (our RTSP client, TCP interleaved), rtmp(s):// (our RTMP client),
 * srt:// (our SRT caller, MPEG-TS), http(s)://….flv (an HTTP-FLV body). Each resolves once the
 * source is playing and reports its end through `closed`; the frames go straight into the stream.
 */
import { ProtocolError } from "../core/errors.ts";
import type { Frame, Stream, Track } from "../core/mod.ts";
import { FlvDemuxer, FlvTagReader } from "../formats/flv/mod.ts";
import type { Logger } from "../log/mod.ts";
import { RtmpClient } from "../protocols/rtmp/mod.ts";
import { RtspClient } from "../protocols/rtsp/client.ts";
import { connectSrt } from "../protocols/srt/caller.ts";
import { attachPublisher } from "../protocols/srt/publisher.ts";

export interface Source {
  /** Resolves with the reason once the source stopped (the remote ended, failed or went silent). */
  readonly closed: Promise<string>;
  close(reason: string): void;
}

export interface SourceOptions {
  log: Logger;
  /** Connect and start must succeed within this; a silent source is dropped after it. */
  timeoutMs: number;
}

/** The URL without credentials, for logs and `from`. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//");
}

/** Writes frames into `stream`, announcing each new track once. */
function writer(stream: Stream): (f: Frame) => void {
  const known = new Set<Track>();
  return (f) => {
    if (!known.has(f.track)) {
      known.add(f.track);
      stream.setTrack(f.track);
    }
    stream.write(f);
  };
}

export async function openSource(url: string, stream: Stream, o: SourceOptions): Promise<Source> {
  const scheme = url.slice(0, url.indexOf(":")).toLowerCase();
  if (scheme === "rtsp" || scheme === "rtsps") return await rtspSource(url, stream, o);
  if (scheme === "rtmp" || scheme === "rtmps") return await rtmpSource(url, stream, o);
  if (scheme === "srt") return await srtSource(url, stream, o);
  if (scheme === "http" || scheme === "https") return await flvSource(url, stream, o);
  throw new ProtocolError(
    `pull source ${redactUrl(url)} is unsupported: must be rtsp(s), rtmp(s), srt or http(s)`,
  );
}

async function rtspSource(url: string, stream: Stream, o: SourceOptions): Promise<Source> {
  const client = new RtspClient({
    url,
    log: o.log,
    transport: "tcp",
    timeoutMs: o.timeoutMs,
    onTrack: (t) => stream.setTrack(t),
    onFrame: (f) => stream.write(f),
  });
  await client.start();
  return { closed: client.closed, close: (r) => client.close(r) };
}

async function rtmpSource(url: string, stream: Stream, o: SourceOptions): Promise<Source> {
  const client = await RtmpClient.connect(url, { timeoutMs: o.timeoutMs, log: o.log });
  try {
    await client.play();
  } catch (err) {
    client.close();
    throw err;
  }
  const write = writer(stream);
  let closed = false;
  const done = (async () => {
    try {
      for await (const f of client.frames()) {
        if (closed) break;
        write(f);
      }
      return "the source ended the stream";
    } catch (err) {
      return `the source failed: ${(err as Error)?.message ?? err}`;
    }
  })();
  return {
    closed: done,
    close: () => {
      closed = true;
      client.close();
    },
  };
}

/**
 * srt://host:port?streamid=…&passphrase=…&latency=… as ffmpeg and libsrt write it: the stream id is
 * taken raw (it often holds "#!::" and commas, which a URL parser would read as a fragment).
 */
export function parseSrtUrl(url: string): { hostname: string; port: number; params: Map<string, string> } {
  const m = /^srt:\/\/(\[[^\]]+\]|[^:/?]+)(?::(\d+))?\/?(?:\?(.*))?$/i.exec(url);
  if (!m) throw new ProtocolError(`pull source ${url} is invalid: must be srt://host:port?streamid=…`);
  const params = new Map<string, string>();
  for (const part of (m[3] ?? "").split("&")) {
    const eq = part.indexOf("=");
    if (eq > 0) params.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)));
  }
  return { hostname: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2] ?? 9000), params };
}

async function srtSource(url: string, stream: Stream, o: SourceOptions): Promise<Source> {
  const u = parseSrtUrl(url);
  const latency = u.params.get("latency");
  const caller = await connectSrt({
    hostname: u.hostname,
    port: u.port,
    streamId: u.params.get("streamid"),
    passphrase: u.params.get("passphrase"),
    // srt:// URLs give latency in µs (ffmpeg's convention) or ms (libsrt's); small values are ms.
    latencyMs: latency ? (Number(latency) > 10_000 ? Number(latency) / 1000 : Number(latency)) : undefined,
    connectTimeoutMs: o.timeoutMs,
    log: o.log,
  });
  const conn = caller.connection;
  // The same path as an SRT publisher: the PMT announces the tracks, the TS demuxer feeds the stream.
  attachPublisher(conn, stream, o.log);
  return { closed: conn.closed, close: (r) => void caller.close(r) };
}

async function flvSource(url: string, stream: Stream, o: SourceOptions): Promise<Source> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { signal: ac.signal });
  } finally {
    clearTimeout(timer);
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw new ProtocolError(`pull source ${redactUrl(url)} answered HTTP ${res.status}`);
  }
  const tags = new FlvTagReader();
  const demux = new FlvDemuxer();
  const write = writer(stream);
  const done = (async () => {
    try {
      for await (const chunk of res.body!) {
        for (const t of tags.push(chunk)) {
          const f = t.type === 9
            ? demux.video(t.body, t.timestamp)
            : t.type === 8
            ? demux.audio(t.body, t.timestamp)
            : null;
          if (f) write(f);
        }
      }
      return "the source ended the stream";
    } catch (err) {
      return ac.signal.aborted ? "closed" : `the source failed: ${(err as Error)?.message ?? err}`;
    }
  })();
  return { closed: done, close: () => ac.abort() };
}
