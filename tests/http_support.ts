/** Shared by the tests/http_*_test.ts files: deps for an HTTP server on port 0 with a test Hub. */
import type { Hub, Stream } from "../src/core/mod.ts";
import { nullLogger } from "../src/log/mod.ts";
import { metaDataOf, parseScriptData } from "../src/formats/amf/mod.ts";
import { FLV_TAG_SCRIPT, FLV_TAG_VIDEO, FlvDemuxer, readFlvTags } from "../src/formats/flv/mod.ts";
import { AAC, H264H, run, SRC } from "./support/mod.ts";
import {
  createHttpServer,
  defaultHttpOptions,
  type HttpDeps,
  type HttpOptions,
  type HttpServer,
} from "../src/http/mod.ts";

export function testHttpDeps(
  hub: Hub,
  options: Partial<HttpOptions> = {},
  extra: Partial<HttpDeps> = {},
): HttpDeps {
  const startTime = new Date("2026-01-02T03:04:05Z");
  return {
    hub,
    log: nullLogger,
    options: defaultHttpOptions({ playWaitMs: 0, ...options }),
    status: () => ({
      services: { http: { port: 8080, run: true, ssl: false }, rtmp: { port: 1935, run: true, ssl: false } },
      startTime,
    }),
    publicUrls: (s: Stream, host: string) => [
      { type: "rtmp", url: `rtmp://${host}:1935/${s.app}/${s.name}` },
      { type: "http-flv", url: `http://${host}:8080/${s.app}/${s.name}.flv` },
    ],
    ...extra,
  };
}

export async function startHttp(
  deps: HttpDeps,
  tls?: { cert: string; key: string },
): Promise<HttpServer> {
  const server = createHttpServer({
    deps,
    log: nullLogger,
    hostname: "127.0.0.1",
    port: 0,
    tls: tls ? { ...tls, port: 0 } : undefined,
  });
  await server.start();
  return server;
}

/** Sends one raw request line (no client-side URL normalisation) and returns the status code. */
export async function rawStatus(port: number, target: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    let text = "";
    const buf = new Uint8Array(4096);
    while (!text.includes("\r\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  } finally {
    conn.close();
  }
}

/** Makes an FLV file with ffmpeg (H264 High with B-frames + AAC, TESTING.md's sources). */
export async function makeFlv(path: string, seconds: number, size = "640x360"): Promise<Uint8Array> {
  const r = await run("ffmpeg", [
    "-nostdin",
    "-hide_banner",
    "-loglevel",
    "error",
    ...SRC(seconds, size),
    ...H264H,
    ...AAC,
    "-f",
    "flv",
    "-y",
    path,
  ], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`ffmpeg could not make ${path}: ${r.stderr}`);
  return await Deno.readFile(path);
}

/**
 * Publishes an FLV file into the hub at real time (a stand-in for an RTMP publisher): script tags
 * become metadata, audio/video tags frames through FlvDemuxer.
 */
export async function replayFlv(
  hub: Hub,
  flv: Uint8Array,
  opts: { app?: string; name: string; query?: string },
): Promise<{ stream: Stream; done: Promise<void>; stop(): void }> {
  const stream = await hub.publish({
    role: "publisher",
    protocol: "rtmp",
    app: opts.app ?? "live",
    name: opts.name,
    vhost: "127.0.0.1",
    query: opts.query ?? "",
  });
  let stopped = false;
  const done = (async () => {
    const { tags } = readFlvTags(flv);
    const demux = new FlvDemuxer();
    const start = Date.now();
    for (const t of tags) {
      if (stopped || stream.isEnded) break;
      const wait = start + t.timestamp - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (t.type === FLV_TAG_SCRIPT) {
        stream.metadata = metaDataOf(parseScriptData(t.body));
        continue;
      }
      const f = t.type === FLV_TAG_VIDEO
        ? demux.video(t.body, t.timestamp)
        : demux.audio(t.body, t.timestamp);
      const track = t.type === FLV_TAG_VIDEO ? demux.videoTrack : demux.audioTrack;
      if (track) stream.setTrack(track);
      if (f) stream.write(f);
    }
    stream.end("replay finished");
  })();
  return { stream, done, stop: () => stopped = true };
}

/**
 * A minimal WebSocket client (RFC 6455) over TCP or TLS that yields the binary messages' bytes, for
 * piping WS-FLV into `ffmpeg -f flv -i -`. Hand-rolled because Deno's WebSocket cannot trust a test CA.
 */
export function wsBytes(url: string, opts: { caCerts?: string[] } = {}): ReadableStream<Uint8Array> {
  const u = new URL(url);
  const tls = u.protocol === "wss:";
  const port = Number(u.port || (tls ? 443 : 80));
  let conn: Deno.Conn | undefined;
  let buf = new Uint8Array(0);
  const append = (b: Uint8Array) => {
    const n = new Uint8Array(buf.length + b.length);
    n.set(buf);
    n.set(b, buf.length);
    buf = n;
  };
  const fill = async (): Promise<boolean> => {
    const chunk = new Uint8Array(64 * 1024);
    const n = await conn!.read(chunk);
    if (n === null) return false;
    append(chunk.subarray(0, n));
    return true;
  };
  const close = () => {
    try {
      conn?.close();
    } catch { /* closed */ }
    conn = undefined;
  };
  return new ReadableStream<Uint8Array>({
    async start() {
      conn = tls
        ? await Deno.connectTls({ hostname: u.hostname, port, caCerts: opts.caCerts })
        : await Deno.connect({ hostname: u.hostname, port });
      const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
      const req = `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
      await conn.write(new TextEncoder().encode(req));
      let end = -1;
      while ((end = new TextDecoder().decode(buf).indexOf("\r\n\r\n")) < 0) {
        if (!await fill()) throw new Error("websocket handshake: connection closed");
      }
      const head = new TextDecoder().decode(buf.subarray(0, end));
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new Error(`websocket handshake refused: ${head.split("\r\n")[0]}`);
      }
      buf = buf.slice(end + 4);
    },
    async pull(ctl) {
      while (true) {
        if (buf.length >= 2) {
          const op = buf[0] & 0xf;
          let len = buf[1] & 0x7f, o = 2;
          if (len === 126 && buf.length >= 4) {
            len = (buf[2] << 8) | buf[3];
            o = 4;
          } else if (len === 127 && buf.length >= 10) {
            len = Number(new DataView(buf.buffer, buf.byteOffset + 2, 8).getBigUint64(0));
            o = 10;
          } else if (len >= 126) len = Infinity;
          if (buf.length >= o + len) {
            const payload = buf.slice(o, o + len);
            buf = buf.slice(o + len);
            if (op === 8) {
              close();
              ctl.close();
              return;
            }
            if (op === 0 || op === 2) {
              ctl.enqueue(payload);
              return;
            }
            continue; // text, ping, pong: not used by WS-FLV
          }
        }
        if (!conn || !await fill().catch(() => false)) {
          close();
          ctl.close();
          return;
        }
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
}
