/**
 * WHEP load generator: N werift viewers (video only) of one stream, the same JSON phases as load.ts
 * ({"phase":"measuring"}, then {"phase":"done", ...}). The viewers are spread over `--procs` loader
 * processes (default 2, children of this one: one process's event loop on a loaded machine lags,
 * overflows its sockets' receive buffers and misses ICE consent, and the packet share would measure
 * it rather than the server). The children connect in turn, their viewers in batches (each an ICE +
 * DTLS handshake on the server); once all are connected and the warm-up is over, this process tells
 * every child to start its window at once, and sums what they count. Every viewer counts the SRTP
 * packets and bytes it gets and which sequence numbers arrived (retransmissions fill gaps), for its
 * packet share over the window. To keep the children cheap, a viewer checks and decrypts only every
 * 64th packet (werift's own SRTP, counted as auth failures when it fails) and reads the rest's clear
 * RTP header: what is measured is the server.
 * Usage: whep_load.ts --url http://…/whep/v1?app=live&name=bench --n N --warmup S --seconds S [--procs P]
 */
import { RTCPeerConnection, useH264 } from "werift";
import { guardDtlsServerKeyExchange } from "../src/protocols/webrtc/peer.ts";
import { arg } from "./args.ts";

const url = arg("url");
const n = Number(arg("n"));
const warmup = Number(arg("warmup", "5"));
const seconds = Number(arg("seconds", "20"));
const procs = Math.max(1, Math.min(n, Number(arg("procs", "2"))));
/** Set in a loader child: it runs its share of the viewers and waits for the parent's signals. */
const isChild = Deno.args.includes("--child");
/** Viewers connecting at once (each an ICE and DTLS handshake on the server), and tries per viewer. */
const BATCH = 5;
const TRIES = 2;
const SRTP_TAG = 10;
const CHECK_EVERY = 64;
/**
 * `setRecvBufferSize` of each viewer's socket once connected (0: not called). In Deno 2.9 this is not
 * SO_RCVBUF (the kernel's buffer stays net.core.rmem_default: `ss -uamn`) but the size of the buffer
 * node:dgram allocates for every datagram it receives (twice this on Linux; 64 KiB when not set):
 * 4096 (8 KiB) holds any datagram the server sends and makes a viewer's receive 11-17 µs cheaper per
 * packet (one process, 20 000 datagrams of 1200 bytes). `viewer_socket_drops` in the stages would
 * show it if a runtime made it the kernel's buffer again.
 */
const RCVBUF = Number(arg("rcvbuf", "4096"));

interface Viewer {
  pc: RTCPeerConnection;
  connected: boolean;
  closed: boolean;
  /** The first state that ended (or interrupted) the connection. */
  closedAs: string;
  error: string;
  bytes: number;
  packets: number;
  authChecks: number;
  authFailures: number;
  /** Sequence numbers seen in the window (a bitmap), how many distinct, and the span's ends. */
  seen: Uint8Array;
  distinct: number;
  first: number;
  last: number;
  measuring: boolean;
}

/** Distance from a to b in 16-bit sequence space (positive when b is after a). */
const seqDiff = (a: number, b: number) => ((b - a + 0x18000) & 0xffff) - 0x8000;

function onPacket(v: Viewer, buf: Uint8Array) {
  v.bytes += buf.length;
  v.packets++;
  if (!v.measuring || buf.length < 12) return;
  const seq = (buf[2] << 8) | buf[3];
  if (v.first < 0) v.first = v.last = seq;
  else if (seqDiff(v.last, seq) > 0) v.last = seq;
  else if (seqDiff(v.first, seq) < 0) return; // from before the window
  if (!v.seen[seq]) {
    v.seen[seq] = 1;
    v.distinct++;
  }
}

async function connect(v: Viewer): Promise<void> {
  const pc = v.pc;
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.connectionStateChange.subscribe((st) => {
    if (st === "connected") v.connected = true;
    if (st === "failed" || st === "closed" || st === "disconnected") {
      if (!v.closed) v.closedAs = st;
      v.closed = true;
    }
  });
  await pc.setLocalDescription(await pc.createOffer());
  // The viewer is the DTLS server: werift's handshake must survive a lost flight 5 message (a full
  // socket buffer while 50-200 viewers connect), see peer.ts.
  guardDtlsServerKeyExchange(pc);
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/sdp" },
    body: pc.localDescription!.sdp,
  });
  const body = await res.text();
  if (res.status !== 201) throw new Error(`POST ${res.status}: ${body.slice(0, 200)}`);
  await pc.setRemoteDescription({ type: "answer", sdp: body });
  for (const t of pc.dtlsTransports) {
    const sub = t.onStateChange.subscribe((st) => {
      if (st !== "connected") return;
      sub.unSubscribe();
      const srtp = t.srtp as unknown as { decrypt: (b: Uint8Array) => Uint8Array };
      const real = srtp.decrypt;
      let k = 0;
      srtp.decrypt = (buf) => {
        onPacket(v, buf);
        if (++k % CHECK_EVERY === 0) {
          v.authChecks++;
          try {
            return real(buf);
          } catch {
            v.authFailures++;
          }
        }
        return buf.subarray(0, buf.length - SRTP_TAG);
      };
    });
  }
  const end = Date.now() + 15_000;
  while (!v.connected && !v.closed && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  if (!v.connected) throw new Error("ICE/DTLS did not connect within 15 s");
  if (RCVBUF > 0) {
    for (const sock of udpSockets(pc)) sock.setRecvBufferSize(RCVBUF);
  }
}

interface UdpSocket {
  setRecvBufferSize(n: number): void;
  address(): { port: number };
}

/** The UDP sockets of a werift peer connection (its ICE protocols' transports). */
function udpSockets(pc: RTCPeerConnection): UdpSocket[] {
  const out: UdpSocket[] = [];
  for (const t of pc.iceTransports) {
    const protocols = (t.connection as unknown as { protocols?: { transport?: { socket?: UdpSocket } }[] })
      .protocols ?? [];
    for (const p of protocols) {
      const sock = p.transport?.socket;
      if (typeof sock?.setRecvBufferSize === "function") out.push(sock);
    }
  }
  return out;
}

/** Kernel UDP counters (all sockets on the machine) from /proc/net/snmp. */
function udpSnmp(): Record<string, number> {
  const lines = Deno.readTextFileSync("/proc/net/snmp").split("\n").filter((l) => l.startsWith("Udp:"));
  const keys = lines[0].split(/\s+/).slice(1), vals = lines[1].split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
}

/** Receive-buffer drops (/proc/net/udp's drops column) by local port. */
function dropsByPort(): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of Deno.readTextFileSync("/proc/net/udp").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const port = parseInt(f[1].split(":")[1], 16);
    out.set(port, (out.get(port) ?? 0) + Number(f[12]));
  }
  return out;
}

/** A viewer's receive-buffer drops (its sockets' drops column). */
function viewerDrops(v: Viewer, byPort: Map<number, number>): number {
  let sum = 0;
  for (const sock of udpSockets(v.pc)) {
    try {
      sum += byPort.get(sock.address().port) ?? 0;
    } catch { /* closed */ }
  }
  return sum;
}

/** Receive-buffer drops (/proc/net/udp's drops column) of this process's sockets, and of all others. */
function socketDrops(): { own: number; others: number; ownSockets: number } {
  const inodes = new Set<string>();
  for (const e of Deno.readDirSync("/proc/self/fd")) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/self/fd/${e.name}`));
      if (m) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  let own = 0, others = 0, ownSockets = 0;
  for (const line of Deno.readTextFileSync("/proc/net/udp").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const drops = Number(f[12]);
    if (inodes.has(f[9])) {
      own += drops;
      ownSockets++;
    } else others += drops;
  }
  return { own, others, ownSockets };
}

interface ServerCounts {
  packetsSent: number;
  retransmits: number;
  nackMisses: number;
  nackRecent: number;
  nackOverBudget: number;
  /** Datagrams the server's kernel refused (direct_send.ts), when the server counts them. */
  sendErrors: number;
}

/** The server's per-viewer counters summed (/api/live's WebRTC sessions of the stream), if it has them. */
async function serverCounts(): Promise<ServerCounts | undefined> {
  try {
    const u = new URL(url);
    const app = u.searchParams.get("app"), name = u.searchParams.get("name");
    if (!app || !name) return undefined;
    const r = await fetch(`${u.origin}/api/live?app=${app}&name=${name}`);
    const body = await r.json();
    const list = (body?.sessions?.webrtc ?? []) as Partial<ServerCounts>[];
    const sum: ServerCounts = {
      packetsSent: 0,
      retransmits: 0,
      nackMisses: 0,
      nackRecent: 0,
      nackOverBudget: 0,
      sendErrors: 0,
    };
    for (const e of list) for (const k of Object.keys(sum) as (keyof ServerCounts)[]) sum[k] += e[k] ?? 0;
    return sum;
  } catch {
    return undefined;
  }
}

function viewer(): Viewer {
  const pc = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ["127.0.0.1"],
    codecs: { video: [useH264()] }, // with NACK and PLI feedback
  });
  return {
    pc,
    connected: false,
    closed: false,
    closedAs: "",
    error: "",
    bytes: 0,
    packets: 0,
    authChecks: 0,
    authFailures: 0,
    seen: new Uint8Array(65536),
    distinct: 0,
    first: -1,
    last: -1,
    measuring: false,
  };
}

/** A connected viewer, or the last failed try (a loaded machine can miss the server's 10 s deadline). */
async function join(): Promise<Viewer> {
  let v = viewer();
  for (let t = 1; t <= TRIES; t++) {
    try {
      await connect(v);
      return v;
    } catch (err) {
      v.error = (err as Error).message;
      if (t === TRIES) break;
      await v.pc.close().catch(() => {});
      v = viewer();
      retries++;
    }
  }
  return v;
}

/** What a child reports when its window is over (summed by the parent). */
interface ChildDone {
  n: number;
  window_s: number;
  connected: number;
  started: number;
  dropped: number;
  errors: string[];
  connect_s: number;
  dropped_as: Record<string, number>;
  retries: number;
  deltas: number[];
  shares: number[];
  auth_checks: number;
  auth_failures: number;
  auth_failing_viewers: number;
  auth_all_failed_viewers: number;
  /** Stage counts of this child's viewers (summed, or the max for the lag). */
  stages: Record<string, number>;
}

let retries = 0;

/** Lines from a stream, one at a time. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buf += text;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
}

/** A loader child: connect this share of the viewers, then measure when the parent says so. */
async function child() {
  const stdin = lines(Deno.stdin.readable);
  if ((await stdin.next()).value !== "go") throw new Error("loader child: expected the parent's 'go'");
  const viewers: Viewer[] = [];
  const t00 = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    viewers.push(...await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, join)));
  }
  const connectS = (performance.now() - t00) / 1000;
  console.log(JSON.stringify({ phase: "connected", connect_s: connectS }));
  if ((await stdin.next()).value !== "measure") {
    throw new Error("loader child: expected the parent's 'measure'");
  }
  const before = viewers.map((v) => v.bytes);
  const packets0 = viewers.reduce((a, v) => a + v.packets, 0);
  const drops0 = socketDrops();
  const byPort0 = dropsByPort();
  const vdrops0 = viewers.map((v) => viewerDrops(v, byPort0));
  for (const v of viewers) v.measuring = true;
  const t0 = performance.now();
  console.log(JSON.stringify({ phase: "measuring" }));
  // This process's event loop: how late a 10 ms timer fires over the window.
  let lagMax = 0, lagOver50 = 0, tick = performance.now();
  const lagTimer = setInterval(() => {
    const now = performance.now(), lag = now - tick - 10;
    tick = now;
    if (lag > lagMax) lagMax = lag;
    if (lag > 50) lagOver50++;
  }, 10);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const t1 = performance.now();
  clearInterval(lagTimer);
  for (const v of viewers) v.measuring = false;
  // Retransmissions of the window's last packets may still come: a short grace before counting.
  await new Promise((r) => setTimeout(r, 300));
  const drops1 = socketDrops();
  const byPort1 = dropsByPort();
  const vdrops = viewers.map((v, i) => viewerDrops(v, byPort1) - vdrops0[i]);
  const packets1 = viewers.reduce((a, v) => a + v.packets, 0);
  const shareOf = (v: Viewer) => v.first < 0 ? 0 : v.distinct / (seqDiff(v.first, v.last) + 1);
  /** Viewers under 99 %: whether their connection ended, and their sockets' drops. */
  const under = viewers.map((v, i) => ({ v, i })).filter(({ v }) => shareOf(v) < 0.99);
  const done: ChildDone = {
    n,
    window_s: (t1 - t0) / 1000,
    connected: viewers.filter((v) => v.connected).length,
    started: viewers.filter((v) => v.packets > 0).length,
    dropped: viewers.filter((v) => v.closed).length,
    errors: [...new Set(viewers.map((v) => v.error).filter((e) => e))].slice(0, 5),
    connect_s: connectS,
    dropped_as: viewers.reduce<Record<string, number>>((a, v) => {
      if (v.closedAs) a[v.closedAs] = (a[v.closedAs] ?? 0) + 1;
      return a;
    }, {}),
    retries,
    deltas: viewers.map((v, i) => v.bytes - before[i]),
    shares: viewers.map(shareOf),
    auth_checks: viewers.reduce((a, v) => a + v.authChecks, 0),
    auth_failures: viewers.reduce((a, v) => a + v.authFailures, 0),
    auth_failing_viewers: viewers.filter((v) => v.authFailures > 0).length,
    auth_all_failed_viewers:
      viewers.filter((v) => v.authChecks > 0 && v.authFailures === v.authChecks).length,
    stages: {
      viewers_received: packets1 - packets0,
      viewer_socket_drops: drops1.own - drops0.own,
      viewer_sockets: drops1.ownSockets,
      loop_lag_max_ms: Math.round(lagMax),
      loop_lag_over_50ms: lagOver50,
      under99_closed: under.filter(({ v }) => v.closed).length,
      under99_open: under.filter(({ v }) => !v.closed).length,
      under99_closed_drops: under.filter(({ v }) => v.closed).reduce((a, { i }) => a + vdrops[i], 0),
      under99_open_drops: under.filter(({ v }) => !v.closed).reduce((a, { i }) => a + vdrops[i], 0),
      at99_drops: viewers.reduce((a, v, i) => a + (shareOf(v) >= 0.99 ? vdrops[i] : 0), 0),
    },
  };
  console.log(JSON.stringify({ phase: "done", ...done }));
  Deno.exit(0);
}

/** Receive-buffer drops of every UDP socket on the machine (/proc/net/udp's drops column). */
function allSocketDrops(): number {
  let sum = 0;
  for (const line of Deno.readTextFileSync("/proc/net/udp").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 13) sum += Number(f[12]);
  }
  return sum;
}

/** The parent: `procs` children share the viewers and one measuring window; their counts summed. */
async function parent() {
  const t00 = performance.now();
  const kids = Array.from({ length: procs }, (_, k) => {
    const share = Math.floor(n / procs) + (k < n % procs ? 1 : 0);
    const args = [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--child",
      "--url",
      url,
      "--n",
      String(share),
      "--seconds",
      String(seconds),
    ];
    args.push("--rcvbuf", String(RCVBUF));
    const proc = new Deno.Command(Deno.execPath(), {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    })
      .spawn();
    return { proc, out: lines(proc.stdout), stdin: proc.stdin.getWriter(), share };
  });
  const next = async (k: (typeof kids)[number], phase: string) => {
    for (;;) {
      const r = await k.out.next();
      if (r.done) throw new Error(`loader child ${k.proc.pid} ended before "${phase}"`);
      const msg = JSON.parse(r.value);
      if (msg.phase === phase) return msg;
    }
  };
  // The children connect in turn (a child starts when its stdin says "go"): the server sees BATCH
  // handshakes at a time, as with one loader process.
  for (const k of kids) {
    await k.stdin.write(new TextEncoder().encode("go\n"));
    await next(k, "connected");
  }
  const connectS = (performance.now() - t00) / 1000;
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const server0 = await serverCounts();
  const snmp0 = udpSnmp(), all0 = allSocketDrops();
  const enc = new TextEncoder().encode("measure\n");
  await Promise.all(kids.map((k) => k.stdin.write(enc)));
  await Promise.all(kids.map((k) => next(k, "measuring")));
  console.log(JSON.stringify({ phase: "measuring" }));
  const dones = await Promise.all(kids.map((k) => next(k, "done") as Promise<ChildDone>));
  const snmp1 = udpSnmp(), all1 = allSocketDrops();
  const server1 = await serverCounts();
  for (const k of kids) {
    await k.stdin.close().catch(() => {});
    await k.proc.status;
  }
  const sum = (f: (d: ChildDone) => number) => dones.reduce((a, d) => a + f(d), 0);
  const st = (key: string) => sum((d) => d.stages[key] ?? 0);
  const deltas = dones.flatMap((d) => d.deltas).sort((a, b) => a - b);
  const shares = dones.flatMap((d) => d.shares).sort((a, b) => a - b);
  const delta = (k: keyof ServerCounts) => server0 && server1 ? server1[k] - server0[k] : null;
  const out = {
    phase: "done",
    n,
    procs,
    window_s: Math.max(...dones.map((d) => d.window_s)),
    connected: sum((d) => d.connected),
    started: sum((d) => d.started),
    dropped: sum((d) => d.dropped),
    errors: [...new Set(dones.flatMap((d) => d.errors))].slice(0, 5),
    /** Seconds to connect every viewer, and how many tries were repeated. */
    connect_s: connectS,
    /** Dropped viewers by the state that ended their connection first. */
    dropped_as: dones.reduce<Record<string, number>>((a, d) => {
      for (const [k, v] of Object.entries(d.dropped_as)) a[k] = (a[k] ?? 0) + v;
      return a;
    }, {}),
    retries: sum((d) => d.retries),
    bytes_total: deltas.reduce((a, b) => a + b, 0),
    bytes_min: deltas[0] ?? 0,
    bytes_p50: deltas[Math.floor(deltas.length / 2)] ?? 0,
    bytes_max: deltas[deltas.length - 1] ?? 0,
    /** Packet share (distinct sequence numbers / the span) of the worst viewer, and the median. */
    share_min: shares[0] ?? 0,
    share_p50: shares[Math.floor(shares.length / 2)] ?? 0,
    viewers_99: shares.filter((s) => s >= 0.99).length,
    auth_checks: sum((d) => d.auth_checks),
    auth_failures: sum((d) => d.auth_failures),
    /** Viewers with a failed check, and those whose every check failed (their SRTP keys differ: DTLS). */
    auth_failing_viewers: sum((d) => d.auth_failing_viewers),
    auth_all_failed_viewers: sum((d) => d.auth_all_failed_viewers),
    /**
     * Where packets went missing over the window (+ the grace): what the server handed to its sockets
     * (its per-viewer counters, retransmissions included; datagrams its kernel refused) against what
     * the viewers' sockets delivered to werift, and the kernel's receive-buffer drops in between
     * (loopback: the only place a datagram is lost), with the children's event-loop lag (a 10 ms
     * timer's lateness: the worst child's maximum, the sum of late ticks).
     */
    stages: {
      rcvbuf: RCVBUF,
      loader_procs: procs,
      server_sent: delta("packetsSent"),
      server_retransmits: delta("retransmits"),
      server_nack_recent: delta("nackRecent"),
      server_nack_over_budget: delta("nackOverBudget"),
      server_nack_misses: delta("nackMisses"),
      server_send_errors: delta("sendErrors"),
      viewers_received: st("viewers_received"),
      viewer_socket_drops: st("viewer_socket_drops"),
      viewer_sockets: st("viewer_sockets"),
      // (Sockets that closed in the window take their counts with them: never below 0.)
      other_socket_drops: Math.max(0, all1 - all0 - st("viewer_socket_drops")),
      udp_rcvbuf_errors: snmp1.RcvbufErrors - snmp0.RcvbufErrors,
      udp_in_errors: snmp1.InErrors - snmp0.InErrors,
      udp_sndbuf_errors: snmp1.SndbufErrors - snmp0.SndbufErrors,
      udp_in_datagrams: snmp1.InDatagrams - snmp0.InDatagrams,
      udp_out_datagrams: snmp1.OutDatagrams - snmp0.OutDatagrams,
      loop_lag_max_ms: Math.max(...dones.map((d) => d.stages.loop_lag_max_ms ?? 0)),
      loop_lag_over_50ms: st("loop_lag_over_50ms"),
      under99_closed: st("under99_closed"),
      under99_open: st("under99_open"),
      under99_closed_drops: st("under99_closed_drops"),
      under99_open_drops: st("under99_open_drops"),
      at99_drops: st("at99_drops"),
    },
  };
  console.log(JSON.stringify(out));
  Deno.exit(0);
}

if (isChild) await child();
else await parent();
