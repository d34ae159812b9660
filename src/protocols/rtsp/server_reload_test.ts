import assert from "node:assert/strict";
import { Hub } from "../../core/hub.ts";
import { nullLogger } from "../../log/mod.ts";
import { h264Track, splitAnnexB } from "../../codecs/mod.ts";
import { createRtspServer, type RtspReloadable } from "./server.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Sends a request and returns the whole response (headers and body) as text. */
async function request(conn: Deno.Conn, method: string, cseq: number): Promise<string> {
  const req = `${method} rtsp://127.0.0.1/live/a RTSP/1.0\r\nCSeq: ${cseq}\r\n\r\n`;
  await conn.write(new TextEncoder().encode(req));
  let text = "";
  const buf = new Uint8Array(4096);
  for (;;) {
    const end = text.indexOf("\r\n\r\n");
    const length = Number(/content-length: *(\d+)/i.exec(text)?.[1] ?? 0);
    if (end >= 0 && text.length >= end + 4 + length) return text;
    const n = await conn.read(buf);
    if (n === null) throw new Error(`connection closed after ${JSON.stringify(text)}`);
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
}

const options = async (conn: Deno.Conn, cseq: number) =>
  (await request(conn, "OPTIONS", cseq)).split("\r\n")[0];

Deno.test("RTSP update: the listener moves, a connection accepted before keeps answering, and a new idle limit reaches it", async () => {
  const hub = new Hub({
    liveApps: ["live"],
    recApps: [],
    gop: { enabled: true, maxFrames: 100, maxBytes: 1 << 20 },
    maxIdleMs: 0,
  });
  const base: RtspReloadable = {
    hostname: "127.0.0.1",
    port: 0,
    rtpPortRange: { min: 41000, max: 41100 },
    maxIdleMs: 0,
  };
  const server = createRtspServer({ hub, log: nullLogger, ...base });
  await server.start();
  const stream = await hub.publish({
    role: "publisher",
    protocol: "test",
    app: "live",
    name: "a",
    vhost: "",
    query: "",
  });
  const nals = splitAnnexB(
    Deno.readFileSync(new URL("../../codecs/testdata/h264_640x360_high_30.h264", import.meta.url)),
  );
  stream.expectTracks({ video: true, audio: false });
  stream.setTrack(
    h264Track(nals.find((n) => (n[0] & 0x1f) === 7)!, [nals.find((n) => (n[0] & 0x1f) === 8)!]),
  );
  const oldPort = server.port;
  const early = await Deno.connect({ hostname: "127.0.0.1", port: oldPort });
  try {
    assert.equal(await options(early, 1), "RTSP/1.0 200 OK");
    const next = freePort();
    await server.update({ ...base, port: next, maxIdleMs: 1500, natHost: "203.0.113.9" });
    assert.equal(server.port, next);
    assert.equal(await options(early, 2), "RTSP/1.0 200 OK", "accepted before the move");
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port: oldPort }),
      Deno.errors.ConnectionRefused,
    );
    const late = await Deno.connect({ hostname: "127.0.0.1", port: next });
    assert.equal(await options(late, 1), "RTSP/1.0 200 OK");
    // The reloaded NAT host is what SDP now names.
    const sdp = await request(late, "DESCRIBE", 2);
    assert.match(sdp, /^RTSP\/1\.0 200 OK/);
    assert.match(sdp, /\r\nc=IN IP4 203\.0\.113\.9\r\n/);
    late.close();
    // It had no idle limit when it connected; the reloaded 1.5 s one closes it now.
    const t0 = Date.now();
    const n = await early.read(new Uint8Array(16));
    assert.equal(n, null);
    const waited = Date.now() - t0;
    assert.ok(waited >= 1000 && waited < 4000, `closed after ${waited} ms`);
    assert.equal(server.stats().connections, 2);
  } finally {
    early.close();
    stream.end("test over");
    await server.close();
    hub.close();
  }
});
