/**
 * Lean RTSP and SRT players for the benchmark, as cheap as bench/players.ts: they speak just enough of
 * the protocol to start playback, then count bytes and, over the measuring window, the packets that
 * arrived against the packets the sequence numbers say were sent (the packet share):
 *   rtspTcpPlayer  DESCRIBE, SETUP (RTP/AVP/TCP interleaved), PLAY; RTP sequence numbers per channel
 *   rtspUdpPlayer  the same with one RTP+RTCP socket pair per track and an RTCP receiver report every 5 s
 *   srtPlayer      our SRT caller (src/protocols/srt), TS bytes, the receiver's delivered and dropped
 *                  packets, and the TS continuity counters
 * They work against any RTSP or SRT server (Estuary, gst-rtsp-server, GStreamer's srtsink).
 */
import { connectSrt, RejectReason, type SrtCaller, SrtRejectedError } from "../src/protocols/srt/mod.ts";
import { type PlayerStats, tcpPlayer } from "./players.ts";
import { controls, rtspControl } from "./rtsp_control.ts";

/** Distance from a to b in 16-bit sequence space (positive when b is after a). */
const seqDiff16 = (a: number, b: number) => ((b - a + 0x18000) & 0xffff) - 0x8000;

/** The RTP packets of one track in the window: how many arrived and the span of their sequence numbers. */
export class SeqSpan {
  count = 0;
  #last = -1;
  #ext = 0;
  #first = 0;

  add(seq: number): void {
    if (this.#last < 0) {
      this.#last = seq;
      this.#ext = this.#first = 0;
    } else {
      const d = seqDiff16(this.#last, seq);
      if (d > 0) {
        this.#ext += d;
        this.#last = seq;
      }
    }
    this.count++;
  }

  /** Packets the sequence numbers cover, first to last. */
  get span(): number {
    return this.#last < 0 ? 0 : this.#ext - this.#first + 1;
  }
}

/** A packet player's counters. `start()` and `stop()` bound the measuring window. */
export class PacketStats implements PlayerStats {
  bytes = 0;
  connected = false;
  started = false;
  error = "";
  closed = false;
  measuring = false;
  /** RTSP: one span per track, counted while measuring. */
  tracks: SeqSpan[] = [];
  /** SRT: the receiver's live counters, and their values when the window opened and closed. */
  srt?: { delivered: number; dropped: number };
  #srt0 = { delivered: 0, dropped: 0 };
  #srt1 = { delivered: 0, dropped: 0 };
  /** SRT: TS packets whose continuity counter skipped (a server-side drop), and lost TS sync. */
  ccErrors = 0;
  syncErrors = 0;

  start(): void {
    this.tracks = this.tracks.map(() => new SeqSpan());
    if (this.srt) this.#srt0 = { ...this.srt };
    this.measuring = true;
  }

  stop(): void {
    this.measuring = false;
    if (this.srt) this.#srt1 = { ...this.srt };
  }

  /** Packets received over packets sent in the window (1 = every packet). */
  share(): number {
    if (this.srt) {
      const got = this.#srt1.delivered - this.#srt0.delivered;
      const lost = this.#srt1.dropped - this.#srt0.dropped;
      return got > 0 ? got / (got + lost) : 0;
    }
    const got = this.tracks.reduce((a, t) => a + t.count, 0);
    const span = this.tracks.reduce((a, t) => a + t.span, 0);
    return span > 0 ? Math.min(1, got / span) : 0;
  }
}

/** Counts the RTP packets of interleaved frames (`$`, channel, 16-bit length, packet) in a TCP stream. */
export class InterleavedCounter {
  #state = 0;
  #channel = 0;
  #len = 0;
  #off = 0;
  #seqHi = 0;
  readonly stats: PacketStats;
  constructor(stats: PacketStats) {
    this.stats = stats;
  }

  feed(data: Uint8Array): void {
    const n = data.length;
    let i = 0;
    while (i < n) {
      if (this.#state === 4) {
        const take = Math.min(this.#len - this.#off, n - i);
        if ((this.#channel & 1) === 0 && this.stats.measuring) {
          // The sequence number is at bytes 2 and 3 of the RTP header.
          const from = this.#off, to = this.#off + take;
          if (from <= 2 && to > 2) this.#seqHi = data[i + 2 - from];
          if (from <= 3 && to > 3) {
            const k = this.#channel >> 1;
            (this.stats.tracks[k] ??= new SeqSpan()).add((this.#seqHi << 8) | data[i + 3 - from]);
          }
        }
        this.#off += take;
        i += take;
        if (this.#off === this.#len) this.#state = 0;
        continue;
      }
      const b = data[i++];
      if (this.#state === 0) {
        if (b === 0x24) this.#state = 1; // anything else (an RTSP message) is skipped up to the next '$'
      } else if (this.#state === 1) {
        this.#channel = b;
        this.#state = 2;
      } else if (this.#state === 2) {
        this.#len = b << 8;
        this.#state = 3;
      } else {
        this.#len |= b;
        this.#off = 0;
        this.#state = this.#len > 0 ? 4 : 0;
      }
    }
  }
}

/** RTSP over TCP (interleaved): counts bytes and RTP sequence numbers until `signal` aborts. */
export function rtspTcpPlayer(url: URL, stats: PacketStats, signal: AbortSignal): Promise<void> {
  return tcpPlayer(url, 554, stats, signal, async (conn) => {
    const c = rtspControl(conn);
    const desc = await c.request("DESCRIBE", url.href, ["Accept: application/sdp"]);
    stats.connected = true;
    const base = desc.headers.get("content-base") ?? url.href;
    const tracks = controls(desc.body, base);
    for (let k = 0; k < tracks.length; k++) {
      await c.request("SETUP", tracks[k], [
        `Transport: RTP/AVP/TCP;unicast;interleaved=${2 * k}-${2 * k + 1}`,
      ]);
    }
    stats.tracks = tracks.map(() => new SeqSpan());
    // No Range: a server that can seek (gst-rtsp-server with a shared medium) would seek it for everyone.
    await c.request("PLAY", base);
    const counter = new InterleavedCounter(stats);
    stats.bytes += c.pending.buf.length;
    counter.feed(c.pending.buf);
    const buf = new Uint8Array(64 * 1024);
    while (!signal.aborted) {
      const n = await conn.read(buf);
      if (n === null) break;
      stats.bytes += n;
      counter.feed(buf.subarray(0, n));
      if (!stats.started && stats.bytes > 4096) stats.started = true;
    }
  });
}

/** Binds an RTP (even) and RTCP (next) port pair on 127.0.0.1, from `ports.next` upward. */
function bindPair(ports: { next: number }): [Deno.DatagramConn, Deno.DatagramConn] {
  for (let tries = 0; tries < 2000; tries++) {
    const p = ports.next;
    ports.next = p + 2 > 65534 ? 61000 : p + 2;
    let rtp: Deno.DatagramConn | undefined;
    try {
      rtp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: p });
      const rtcp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: p + 1 });
      return [rtp, rtcp];
    } catch {
      rtp?.close(); // taken by someone else: the next pair
    }
  }
  throw new Error("no free RTP/RTCP port pair on 127.0.0.1");
}

/** An empty RTCP receiver report (V=2, RC=0, PT=201): liveness for the server. */
function receiverReport(ssrc: number): Uint8Array {
  const rr = new Uint8Array(8);
  const v = new DataView(rr.buffer);
  v.setUint16(0, 0x80c9);
  v.setUint16(2, 1);
  v.setUint32(4, ssrc);
  return rr;
}

/** Client UDP ports: from 61000 up (above Linux's ephemeral range), shared by the players of a process. */
export const udpPorts = { next: 61000 };

/**
 * RTSP over UDP: one RTP+RTCP socket pair per track, an RTCP receiver report every 5 s to the
 * server's RTCP port (the session's keep-alive); counts bytes and RTP sequence numbers.
 */
export function rtspUdpPlayer(url: URL, stats: PacketStats, signal: AbortSignal): Promise<void> {
  return tcpPlayer(url, 554, stats, signal, async (conn) => {
    const sockets: Deno.DatagramConn[] = [];
    let timer: ReturnType<typeof setInterval> | undefined;
    const loops: Promise<void>[] = [];
    const closeSockets = () => {
      for (const s of sockets) {
        try {
          s.close();
        } catch { /* closed */ }
      }
    };
    try {
      const c = rtspControl(conn);
      const desc = await c.request("DESCRIBE", url.href, ["Accept: application/sdp"]);
      stats.connected = true;
      const base = desc.headers.get("content-base") ?? url.href;
      const tracks = controls(desc.body, base);
      const pairs: { rtp: Deno.DatagramConn; rtcp: Deno.DatagramConn; serverRtcp: number }[] = [];
      for (const track of tracks) {
        const [rtp, rtcp] = bindPair(udpPorts);
        sockets.push(rtp, rtcp);
        const port = (rtp.addr as Deno.NetAddr).port;
        const res = await c.request("SETUP", track, [
          `Transport: RTP/AVP;unicast;client_port=${port}-${port + 1}`,
        ]);
        const sp = /server_port=(\d+)(?:-(\d+))?/.exec(res.headers.get("transport") ?? "");
        pairs.push({ rtp, rtcp, serverRtcp: sp ? Number(sp[2] ?? Number(sp[1]) + 1) : 0 });
      }
      if (signal.aborted) return;
      signal.addEventListener("abort", closeSockets, { once: true });
      stats.tracks = tracks.map(() => new SeqSpan());
      await c.request("PLAY", base);
      const ssrc = crypto.getRandomValues(new Uint32Array(1))[0];
      const rr = receiverReport(ssrc);
      const host = url.hostname === "localhost" ? "127.0.0.1" : url.hostname;
      const report = () => {
        for (const p of pairs) {
          if (p.serverRtcp) {
            p.rtcp.send(rr, { transport: "udp", hostname: host, port: p.serverRtcp }).catch(() => {});
          }
        }
      };
      report();
      timer = setInterval(report, 5000);
      pairs.forEach((p, k) => {
        loops.push(receiveRtp(p.rtp, stats, k, signal));
        loops.push(receiveRtcp(p.rtcp, stats, signal));
      });
      // The control connection stays open (closing it ends the session); whatever comes is drained.
      const buf = new Uint8Array(4096);
      while (!signal.aborted) {
        const n = await conn.read(buf);
        if (n === null) break;
      }
    } finally {
      clearInterval(timer);
      closeSockets();
      await Promise.allSettled(loops);
    }
  });
}

async function receiveRtp(sock: Deno.DatagramConn, stats: PacketStats, k: number, signal: AbortSignal) {
  const buf = new Uint8Array(2048);
  while (!signal.aborted) {
    let data: Uint8Array;
    try {
      [data] = await sock.receive(buf);
    } catch {
      return; // closed
    }
    stats.bytes += data.length;
    if (!stats.started && stats.bytes > 4096) stats.started = true;
    if (stats.measuring && data.length >= 12) stats.tracks[k].add((data[2] << 8) | data[3]);
  }
}

async function receiveRtcp(sock: Deno.DatagramConn, stats: PacketStats, signal: AbortSignal) {
  const buf = new Uint8Array(2048);
  while (!signal.aborted) {
    try {
      const [data] = await sock.receive(buf);
      stats.bytes += data.length;
    } catch {
      return;
    }
  }
}

/**
 * SRT: our caller with `?streamid=` from the URL; counts TS bytes, checks the TS continuity counters
 * and exposes the receiver's delivered and dropped packets for the share.
 */
export async function srtPlayer(url: URL, stats: PacketStats, signal: AbortSignal): Promise<void> {
  try {
    const caller = await connectRetrying(url, signal);
    const conn = caller.connection;
    if (signal.aborted) {
      await caller.close();
      return;
    }
    signal.addEventListener("abort", () => caller.close().catch(() => {}), { once: true });
    stats.connected = true;
    stats.srt = conn.receiver.stats;
    const lastCc = new Int8Array(8192).fill(-1);
    conn.onData = (p) => {
      stats.bytes += p.length;
      if (!stats.started && stats.bytes > 4096) stats.started = true;
      if (!stats.measuring) return;
      for (let o = 0; o + 188 <= p.length; o += 188) {
        if (p[o] !== 0x47) {
          stats.syncErrors++;
          continue;
        }
        const pid = ((p[o + 1] & 0x1f) << 8) | p[o + 2];
        const afc = (p[o + 3] >> 4) & 3, cc = p[o + 3] & 0xf;
        if (pid === 0x1fff || !(afc & 1)) continue;
        // A discontinuity indicator (adaptation field flag 0x80) resets the count.
        const disc = (afc & 2) && p[o + 4] > 0 && (p[o + 5] & 0x80);
        const last = lastCc[pid];
        if (last >= 0 && !disc && cc !== ((last + 1) & 0xf) && cc !== last) stats.ccErrors++;
        lastCc[pid] = cc;
      }
    };
    const why = await conn.closed;
    if (!signal.aborted) stats.error = `srt closed: ${why}`;
  } catch (err) {
    if (!signal.aborted) stats.error = (err as Error).message;
  } finally {
    stats.closed = true;
  }
}

/**
 * A caller, tried again while the listener answers "backlog exceeded": libsrt's listener (GStreamer's
 * srtsink) queues only a few handshakes until its accept thread takes them.
 */
async function connectRetrying(url: URL, signal: AbortSignal): Promise<SrtCaller> {
  for (let tries = 1;; tries++) {
    try {
      return await connectSrt({
        hostname: url.hostname,
        port: Number(url.port),
        streamId: url.searchParams.get("streamid") ?? undefined,
        connectTimeoutMs: 10_000,
      });
    } catch (err) {
      if (!(err instanceof SrtRejectedError) || err.reason !== RejectReason.Backlog || tries >= 20) throw err;
      if (signal.aborted) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
    }
  }
}

/** The player function for a bench protocol. */
export function packetPlayer(
  proto: string,
): (url: URL, s: PacketStats, signal: AbortSignal) => Promise<void> {
  if (proto === "rtsp-tcp") return rtspTcpPlayer;
  if (proto === "rtsp-udp") return rtspUdpPlayer;
  if (proto === "srt") return srtPlayer;
  throw new Error(`no packet player for "${proto}" (rtsp-tcp, rtsp-udp or srt)`);
}
