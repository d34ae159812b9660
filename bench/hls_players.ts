/**
 * A lean HLS player for the bench: one keep-alive HTTP/1.1 connection, the media playlist fetched
 * once per target duration, and every new segment fetched once, as a live player does. It speaks
 * just enough HTTP (Content-Length bodies) to work against Estuary and nginx alike, and counts the
 * requests it made and the body bytes it received.
 */
import type { PlayerStats } from "./players.ts";

export interface PollerStats extends PlayerStats {
  requests: number;
  /** Answers other than 200. */
  failures: number;
}

const enc = new TextEncoder();
const latin1 = new TextDecoder("latin1");

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      r();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/** One keep-alive connection and the bytes read past the last response. */
class HttpConn {
  #conn: Deno.Conn;
  #buf = new Uint8Array(256 * 1024);
  #start = 0;
  #end = 0;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  close() {
    try {
      this.#conn.close();
    } catch { /* closed */ }
  }

  async #fill(): Promise<void> {
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    const n = await this.#conn.read(this.#buf.subarray(this.#end));
    if (n === null) throw new Error("connection closed by the server");
    this.#end += n;
  }

  /** GET `path`; the body as text when `text`, else only its length. */
  async get(
    path: string,
    host: string,
    text: boolean,
  ): Promise<{ status: number; length: number; body: string }> {
    const req = `GET ${path} HTTP/1.1\r\nhost: ${host}\r\nuser-agent: estuary-bench-hls\r\n\r\n`;
    const bytes = enc.encode(req);
    for (let o = 0; o < bytes.length;) o += await this.#conn.write(bytes.subarray(o));
    let headEnd = -1;
    for (;;) {
      const view = this.#buf.subarray(this.#start, this.#end);
      for (let i = 3; i < view.length; i++) {
        if (view[i] === 10 && view[i - 1] === 13 && view[i - 2] === 10 && view[i - 3] === 13) {
          headEnd = i + 1;
          break;
        }
      }
      if (headEnd >= 0) break;
      await this.#fill();
    }
    const head = latin1.decode(this.#buf.subarray(this.#start, this.#start + headEnd));
    this.#start += headEnd;
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (m) {
      const length = Number(m[1]);
      return { status, length, body: await this.#body(length, text) };
    }
    if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      throw new Error(`GET ${path}: ${status} with neither content-length nor chunked`);
    }
    let length = 0, body = "";
    for (;;) {
      const line = await this.#line();
      const size = parseInt(line, 16);
      if (!Number.isFinite(size)) throw new Error(`GET ${path}: bad chunk size ${JSON.stringify(line)}`);
      if (size === 0) {
        while (await this.#line() !== "");
        return { status, length, body };
      }
      body += await this.#body(size, text);
      length += size;
      await this.#line();
    }
  }

  /** One line (without CRLF). */
  async #line(): Promise<string> {
    for (;;) {
      for (let i = this.#start + 1; i < this.#end; i++) {
        if (this.#buf[i] === 10 && this.#buf[i - 1] === 13) {
          const line = latin1.decode(this.#buf.subarray(this.#start, i - 1));
          this.#start = i + 1;
          return line;
        }
      }
      await this.#fill();
    }
  }

  /** The next `length` body bytes: as text when `text`, else skipped. */
  async #body(length: number, text: boolean): Promise<string> {
    let body = "";
    let left = length;
    while (left > 0) {
      if (this.#start === this.#end) await this.#fill();
      const take = Math.min(left, this.#end - this.#start);
      if (text) body += latin1.decode(this.#buf.subarray(this.#start, this.#start + take));
      this.#start += take;
      left -= take;
    }
    return body;
  }
}

/** Polls `url` until `signal` aborts; starts after `delayMs` so players spread over a target duration. */
export async function hlsPoller(
  url: URL,
  stats: PollerStats,
  signal: AbortSignal,
  delayMs: number,
): Promise<void> {
  const seen: string[] = [];
  let conn: HttpConn | undefined;
  try {
    await sleep(delayMs, signal);
    conn = new HttpConn(await Deno.connect({ hostname: url.hostname, port: Number(url.port || 80) }));
    signal.addEventListener("abort", () => conn?.close(), { once: true });
    stats.connected = true;
    const base = url.pathname.slice(0, url.pathname.lastIndexOf("/") + 1);
    while (!signal.aborted) {
      const t0 = Date.now();
      const pl = await conn.get(url.pathname + url.search, url.host, true);
      stats.requests++;
      let target = 2;
      if (pl.status !== 200) stats.failures++;
      else {
        for (const raw of pl.body.split("\n")) {
          const line = raw.trim();
          if (line.startsWith("#EXT-X-TARGETDURATION:")) target = Number(line.slice(22)) || 2;
          if (!line || line.startsWith("#") || seen.includes(line)) continue;
          seen.push(line);
          if (seen.length > 32) seen.shift();
          // The first playlist: only its newest segment, as players start near the live edge.
          if (stats.requests === 1 && !isLast(pl.body, line)) continue;
          const seg = await conn.get(line.startsWith("/") ? line : base + line, url.host, false);
          stats.requests++;
          if (seg.status !== 200) stats.failures++;
          else {
            stats.bytes += seg.length;
            stats.started = true;
          }
        }
      }
      await sleep(Math.max(0, target * 1000 - (Date.now() - t0)), signal);
    }
  } catch (err) {
    if (!signal.aborted) stats.error = (err as Error).message;
  } finally {
    stats.closed = !signal.aborted;
    conn?.close();
  }
}

function isLast(playlist: string, uri: string): boolean {
  const uris = playlist.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  return uris[uris.length - 1] === uri;
}
