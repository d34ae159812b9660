/** A bare-bones RTMP peer for tests that must misbehave: raw handshake and hand-made chunks. */
import type { AmfValue } from "../../src/formats/amf/mod.ts";
import { encodeAmf0 } from "../../src/formats/amf/mod.ts";
import { chunkMessage, clientHello, clientResponse } from "../../src/protocols/rtmp/mod.ts";

export async function writeAll(conn: Deno.Conn, b: Uint8Array): Promise<void> {
  let o = 0;
  while (o < b.byteLength) o += await conn.write(b.subarray(o));
}

/** Connects and completes a handshake; returns the socket ready for chunks. */
export async function rawHandshake(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const hello = clientHello(true);
  await writeAll(conn, hello.bytes);
  const buf = new Uint8Array(3073);
  let have = 0;
  while (have < buf.length) {
    const n = await conn.read(buf.subarray(have));
    if (n === null) throw new Error("server closed during handshake");
    have += n;
  }
  await writeAll(conn, clientResponse(hello, buf.subarray(1, 1537), buf.subarray(1537)).c2);
  return conn;
}

/** A command message in 128-byte chunks (the default chunk size). */
export function command(streamId: number, ...values: AmfValue[]): Uint8Array {
  return chunkMessage({ csid: 3, type: 20, streamId, timestamp: 0, payload: encodeAmf0(...values) }, {
    chunkSize: 128,
  });
}

export function connectCommand(port: number, app = "live"): Uint8Array {
  return command(0, "connect", 1, {
    app,
    tcUrl: `rtmp://127.0.0.1:${port}/${app}`,
    flashVer: "LNX 9,0,124,2",
  });
}

/**
 * Reads until the server closes the socket (or `ms` passes); returns bytes read, whether it closed,
 * and the first 4 KB as text (an HTTP or RTSP answer).
 */
export async function readUntilClosed(
  conn: Deno.Conn,
  ms: number,
): Promise<{ bytes: number; closed: boolean; text: string }> {
  const buf = new Uint8Array(64 * 1024);
  let bytes = 0;
  let text = "";
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, ms);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) {
        clearTimeout(timer);
        conn.close();
        return { bytes, closed: true, text };
      }
      if (text.length < 4096) text += new TextDecoder().decode(buf.subarray(0, Math.min(n, 4096)));
      bytes += n;
    }
  } catch {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
    // A reset is the server closing too (e.g. while we were still sending what it refused).
    return { bytes, closed: !timedOut, text };
  }
}
