/** HTTP and WebSocket clients for requests that fetch() cannot make. */

/** Sends one raw request (no client-side URL normalisation, any Host) and returns status, head and body. */
export async function rawRequest(
  port: number,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; head: string; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const all = { host: "127.0.0.1", connection: "close", ...headers };
    const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    await conn.write(new TextEncoder().encode(`GET ${target} HTTP/1.1\r\n${lines}\r\n`));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(16384);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
    const split = text.indexOf("\r\n\r\n");
    const head = split < 0 ? text : text.slice(0, split);
    let body = split < 0 ? "" : text.slice(split + 4);
    if (/^transfer-encoding:\s*chunked/im.test(head)) body = dechunk(body);
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head, body };
  } finally {
    conn.close();
  }
}

function dechunk(s: string): string {
  let out = "";
  let o = 0;
  while (o < s.length) {
    const eol = s.indexOf("\r\n", o);
    const size = parseInt(s.slice(o, eol), 16);
    if (!(size > 0)) break;
    out += s.slice(eol + 2, eol + 2 + size);
    o = eol + 2 + size + 2;
  }
  return out;
}

/** The status of one raw request line (read as soon as the status line arrives). */
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

export async function getText(url: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

export async function getBytes(
  url: string,
): Promise<{ status: number; bytes: Uint8Array; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()), headers: res.headers };
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
            // A ping is answered as every client must (RFC 6455 §5.5.2): the server's idle
            // deadline closes a socket that does not.
            if (op === 9 && conn) await conn.write(maskedFrame(10, payload)).catch(() => {});
            continue; // text, pong: not used by WS-FLV
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

/** A client frame (FIN, masked as RFC 6455 §5.3 requires) of a payload under 126 bytes. */
export function maskedFrame(opcode: number, payload: Uint8Array): Uint8Array {
  if (payload.length > 125) throw new RangeError(`maskedFrame: ${payload.length} bytes, at most 125`);
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const f = new Uint8Array(6 + payload.length);
  f[0] = 0x80 | opcode;
  f[1] = 0x80 | payload.length;
  f.set(mask, 2);
  for (let i = 0; i < payload.length; i++) f[6 + i] = payload[i] ^ mask[i & 3];
  return f;
}
