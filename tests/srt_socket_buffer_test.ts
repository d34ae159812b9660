/**
 * `<sock><recvbuffer>` sizes the SRT socket's receive buffer: ffmpeg publishes a ~30 Mbit/s contribution
 * feed over SRT to a fresh server, whose event loop is also held for 400 ms once it flows (as a long GC
 * pause or a burst of work would). With the kernel's default buffer (recvbuffer 0) its bursts overflow
 * it and the kernel drops datagrams (the socket's drop counter in /proc/net/udp), which SRT must then
 * ask for again; with smart_rtmpd's default 8 MB they wait in the buffer.
 */
import assert from "node:assert/strict";
import { requireTool, spawnBackground, startTestServer, waitLive } from "./support/mod.ts";

requireTool("ffmpeg");

/** The kernel's drop counter of the UDP socket bound to `port` (IPv4), from /proc/net/udp. */
async function udpDrops(port: number): Promise<number> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const lines = (await Deno.readTextFile("/proc/net/udp")).split("\n").slice(1);
  const row = lines.map((l) => l.trim().split(/\s+/)).find((f) => f[1]?.endsWith(`:${hex}`));
  if (!row) throw new Error(`no UDP socket on port ${port} in /proc/net/udp`);
  return Number(row[row.length - 1]);
}

async function feed(file: string): Promise<void> {
  const r = await new Deno.Command("ffmpeg", {
    args: [
      "-nostdin",
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=1280x720:rate=30,noise=alls=20:allf=t",
      "-t",
      "20",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-qp",
      "34",
      "-g",
      "30",
      "-f",
      "mpegts",
      file,
    ],
    stderr: "piped",
  }).output();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
}

/**
 * Publishes the feed to a fresh server and counts the datagrams the kernel dropped on its SRT socket
 * from the first packet on: while the server warms up (its first keyframes parsed by code not yet
 * compiled) and while its event loop is held for `holdMs` once the stream flows.
 */
async function dropsOfFeed(file: string, recvbufferKb: number, holdMs: number) {
  const ts = await startTestServer({ sock: { recvbuffer: recvbufferKb } });
  const port = ts.port("srt");
  const atBind = await udpDrops(port);
  const pub = spawnBackground("ffmpeg", [
    "-nostdin",
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    "-i",
    file,
    "-c",
    "copy",
    "-f",
    "mpegts",
    ts.srt("#!::r=live/hi,m=publish", { latency: 2000000 }),
  ]);
  try {
    await waitLive(ts.hub, "live/hi", { audio: false });
    await new Promise((r) => setTimeout(r, 1500));
    const until = performance.now() + holdMs;
    while (performance.now() < until) { /* the server's event loop is this one: held */ }
    await new Promise((r) => setTimeout(r, 1000));
    const dropped = (await udpDrops(port)) - atBind;
    const listening = ts.lines.find((l) => l.includes("srt listening")) ?? "";
    return { dropped, listening, bytesIn: ts.hub.get("live/hi")?.stats.bytesIn ?? 0 };
  } finally {
    await pub.stop();
    await ts.close();
  }
}

Deno.test("sock recvbuffer: an SRT feed's bursts (start-up, a held event loop) wait in an 8 MB buffer; the kernel's default drops some", async () => {
  const dir = await Deno.makeTempDir({ prefix: "estuary-srt-buf-" });
  try {
    const file = `${dir}/feed.ts`;
    await feed(file);
    const mbits = (await Deno.stat(file)).size * 8 / 20 / 1e6;
    const big = await dropsOfFeed(file, 8192, 400);
    const small = await dropsOfFeed(file, 0, 400);
    console.log(
      `SRT feed ${
        mbits.toFixed(0)
      } Mbit/s, first 3 s with the event loop held 400 ms: ${small.dropped} datagrams dropped by the kernel with its default buffer, ${big.dropped} with 8 MB (${
        big.listening.match(/rcvbuf=\d+/)?.[0]
      })`,
    );
    assert.match(big.listening, /rcvbuf=\d+/, "the buffer size is logged");
    assert.equal(big.dropped, 0, "nothing dropped with 8 MB");
    assert.ok(small.dropped > 0, "the default buffer overflows (the comparison)");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
