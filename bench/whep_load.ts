/**
 * WHEP load generator process: N werift viewers (video only) of one stream, the same JSON phases as
 * load.ts ({"phase":"measuring"}, then {"phase":"done", ...}). Viewers connect in batches (each is an
 * ICE + DTLS handshake on the server), then every viewer counts the SRTP packets and bytes it gets
 * and which sequence numbers arrived (retransmissions fill gaps), for its packet share over the
 * window. To keep this process cheap, a viewer checks and decrypts only every 64th packet (werift's
 * own SRTP, counted as auth failures when it fails) and reads the rest's clear RTP header: what is
 * measured is the server.
 * Usage: whep_load.ts --url http://…/whep/v1?app=live&name=bench --n N --warmup S --seconds S
 */
import { RTCPeerConnection, useH264 } from "werift";

function arg(name: string, def?: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  if (i >= 0 && Deno.args[i + 1] !== undefined) return Deno.args[i + 1];
  if (def === undefined) throw new Error(`missing --${name}`);
  return def;
}

const url = arg("url");
const n = Number(arg("n"));
const warmup = Number(arg("warmup", "5"));
const seconds = Number(arg("seconds", "20"));
/** Viewers connecting at once (each an ICE and DTLS handshake on the server), and tries per viewer. */
const BATCH = 5;
const TRIES = 2;
const SRTP_TAG = 10;
const CHECK_EVERY = 64;

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

const viewers: Viewer[] = [];
let retries = 0;
const t00 = performance.now();
for (let i = 0; i < n; i += BATCH) {
  viewers.push(...await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, join)));
}
const connectS = (performance.now() - t00) / 1000;
await new Promise((r) => setTimeout(r, warmup * 1000));
const before = viewers.map((v) => v.bytes);
for (const v of viewers) v.measuring = true;
const t0 = performance.now();
console.log(JSON.stringify({ phase: "measuring" }));
await new Promise((r) => setTimeout(r, seconds * 1000));
const t1 = performance.now();
for (const v of viewers) v.measuring = false;
// Retransmissions of the window's last packets may still come: a short grace before counting.
await new Promise((r) => setTimeout(r, 300));
const deltas = viewers.map((v, i) => v.bytes - before[i]).sort((a, b) => a - b);
const shares = viewers.map((v) => v.first < 0 ? 0 : v.distinct / (seqDiff(v.first, v.last) + 1))
  .sort((a, b) => a - b);
const out = {
  phase: "done",
  n,
  window_s: (t1 - t0) / 1000,
  connected: viewers.filter((v) => v.connected).length,
  started: viewers.filter((v) => v.packets > 0).length,
  dropped: viewers.filter((v) => v.closed).length,
  errors: [...new Set(viewers.map((v) => v.error).filter((e) => e))].slice(0, 5),
  /** Seconds to connect every viewer, and how many tries were repeated. */
  connect_s: connectS,
  /** Dropped viewers by the state that ended their connection first. */
  dropped_as: viewers.reduce<Record<string, number>>((a, v) => {
    if (v.closedAs) a[v.closedAs] = (a[v.closedAs] ?? 0) + 1;
    return a;
  }, {}),
  retries,
  bytes_total: deltas.reduce((a, b) => a + b, 0),
  bytes_min: deltas[0] ?? 0,
  bytes_p50: deltas[Math.floor(deltas.length / 2)] ?? 0,
  bytes_max: deltas[deltas.length - 1] ?? 0,
  /** Packet share (distinct sequence numbers / the span) of the worst viewer, and the median. */
  share_min: shares[0] ?? 0,
  share_p50: shares[Math.floor(shares.length / 2)] ?? 0,
  viewers_99: shares.filter((s) => s >= 0.99).length,
  auth_checks: viewers.reduce((a, v) => a + v.authChecks, 0),
  auth_failures: viewers.reduce((a, v) => a + v.authFailures, 0),
  /** Viewers with a failed check, and those whose every check failed (their SRTP keys differ: DTLS). */
  auth_failing_viewers: viewers.filter((v) => v.authFailures > 0).length,
  auth_all_failed_viewers: viewers.filter((v) => v.authChecks > 0 && v.authFailures === v.authChecks).length,
};
console.log(JSON.stringify(out));
Deno.exit(0);
