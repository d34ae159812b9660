/**
 * The SRT service: one UDP listener; the stream id picks publish or play and the hub admits it
 * (protocol "srt"). Hub errors become libsrt access-control rejections (refusals.ts), so clients
 * exit cleanly.
 */
import { FANOUT_DEFAULTS, type FanoutOptions, type Hub, type Stream } from "../../core/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { AacViewSettings } from "../../transcode/mod.ts";
import type { SrtConnection, SrtStats } from "./connection.ts";
import { RejectReason } from "./handshake.ts";
import { type Admission, type ConnectRequest, type ListenerStats, SrtListener } from "./listener.ts";
import { attachPlayer } from "./player.ts";
import { attachPublisher } from "./publisher.ts";
import { rejectionFor } from "./refusals.ts";
import { parseStreamId, type StreamRoute } from "./streamid.ts";

/** What a reload may change on a running server (see `update`). */
export interface SrtReloadable {
  hostname: string;
  /** UDP port; 0 picks a free one (see `port`). */
  port: number;
  /** Connections at once, in total and from one address (0 = no limit; 1000 each when absent). */
  maxConns?: number;
  maxConnsPerIp?: number;
  /** Receive latency, and the least latency granted to players (ms). */
  latencyMs: number;
  /** Enables encryption (10..79 characters); callers without it are rejected. */
  passphrase?: string;
  /** Advertised key length 16/24/32 (0: the caller's choice). */
  pbkeylen?: number;
  /** A peer that sends nothing for this long is dropped (ms); 0 means libsrt's 5 s (never "forever"). */
  maxIdleMs: number;
  /** How long a player may wait for the publisher before "not found" (ms; < 3 s connect timeout). */
  playWaitMs?: number;
  fanout?: Partial<FanoutOptions>;
  /** `<sock><recvbuffer>` / `<sendbuffer>` in bytes for the UDP socket (0: the system's default). */
  recvBuffer?: number;
  sendBuffer?: number;
  /**
   * Opus → AAC for players of Opus sources (bitrate in bit/s); null = off (they get Opus in TS).
   * Default: on at the encoder's default bitrate. A reload applies it to players that come after it.
   */
  aac?: AacViewSettings;
}

export interface SrtServerOptions extends SrtReloadable {
  hub: Hub;
  log: Logger;
  kmRefreshRate?: number;
  kmPreAnnounce?: number;
}

export interface SrtSessionInfo extends SrtStats {
  id: string;
  role: "publisher" | "player";
  key: string;
  remote: string;
  streamId: string;
  startedAt: number;
}

/** A connection's state, as MediaMTX names it: handshake under way, playing, or publishing. */
export type SrtConnState = "idle" | "read" | "publish";

export interface SrtStateStats {
  conns: number;
  bytesIn: number;
  bytesOut: number;
}

export interface SrtServerStats extends ListenerStats {
  port: number;
  /** Old sockets still carrying their connections after the listener moved. */
  draining: number;
  /** Open connections and their payload bytes, by state. */
  byState: Record<SrtConnState, SrtStateStats>;
  list: SrtSessionInfo[];
}

export interface SrtServer {
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * Applies new options: latency, passphrase and key length reach new callers, the idle limit and
   * fan-out options every connection. A new address or port opens a new socket; the old one keeps
   * its connections, takes no new caller, and closes after its last connection ends.
   */
  update(o: SrtReloadable): Promise<void>;
  readonly port: number;
  stats(): SrtServerStats;
}

// SRT players keep their own drop limit (8, where RTMP and RTSP players have 3).
const SRT_FANOUT_DEFAULTS: FanoutOptions = { ...FANOUT_DEFAULTS, maxDrops: 8 };

interface Session {
  id: string;
  conn: SrtConnection;
  role: "publisher" | "player";
  key: string;
  remote: string;
  streamId: string;
  startedAt: number;
}

const NO_COUNTS: ListenerStats = {
  sessions: 0,
  pending: 0,
  handshakes: 0,
  rejected: 0,
  badPackets: 0,
  strayPackets: 0,
};

function addCounts(a: ListenerStats, b: ListenerStats): ListenerStats {
  return {
    sessions: a.sessions + b.sessions,
    pending: a.pending + b.pending,
    handshakes: a.handshakes + b.handshakes,
    rejected: a.rejected + b.rejected,
    badPackets: a.badPackets + b.badPackets,
    strayPackets: a.strayPackets + b.strayPackets,
  };
}

export function createSrtServer(opts: SrtServerOptions): SrtServer {
  const { hub, log } = opts;
  // One object for every player's Fanout, edited in place by update() (re-read at each flush).
  const fanoutOpts = { ...SRT_FANOUT_DEFAULTS, ...opts.fanout };
  let current: SrtReloadable = opts;
  const sessions = new Set<Session>();
  let seq = 0;
  let listener: SrtListener | undefined;
  const draining = new Set<SrtListener>();
  /** Counters of sockets closed after a move (so totals never go back). */
  let retired = NO_COUNTS;

  const listenerOptions = (o: SrtReloadable) => ({
    latencyMs: o.latencyMs,
    passphrase: o.passphrase || undefined,
    pbkeylen: o.pbkeylen,
    peerIdleTimeoutMs: o.maxIdleMs > 0 ? o.maxIdleMs : 5000,
    maxSessions: o.maxConns,
    maxSessionsPerIp: o.maxConnsPerIp,
  });

  function bind(o: SrtReloadable): SrtListener {
    const l = new SrtListener({
      hostname: o.hostname,
      port: o.port,
      ...listenerOptions(o),
      log,
      admit,
      kmRefreshRate: opts.kmRefreshRate,
      kmPreAnnounce: opts.kmPreAnnounce,
    });
    l.start();
    const got = sizeBuffers(l, o);
    log.info("srt listening", {
      hostname: o.hostname,
      port: l.port,
      encrypted: !!o.passphrase,
      ...(got ? { rcvbuf: got.recv, sndbuf: got.send } : {}),
    });
    // Linux reports twice what it granted; less than asked means net.core.rmem_max / wmem_max capped it.
    if (got && o.recvBuffer && got.recv < o.recvBuffer) {
      log.warn("srt receive buffer smaller than <sock><recvbuffer>: raise net.core.rmem_max", {
        asked: o.recvBuffer,
        got: got.recv,
      });
    }
    return l;
  }

  /**
   * The socket's buffers as configured: a contribution feed's burst (a keyframe at tens of Mbit/s)
   * must fit in the receive buffer while the event loop is busy, or the kernel drops it and SRT has to
   * ask for it again. What the kernel gave; undefined when nothing is asked or it cannot be set here.
   */
  function sizeBuffers(l: SrtListener, o: SrtReloadable) {
    const recv = o.recvBuffer ?? 0, send = o.sendBuffer ?? 0;
    return recv > 0 || send > 0 ? l.setBuffers(recv, send) : undefined;
  }

  function retire(old: SrtListener) {
    draining.add(old);
    old.drain().then(() => {
      retired = addCounts(retired, { ...old.stats(), sessions: 0, pending: 0 });
      draining.delete(old);
      log.info("srt old socket closed", { port: old.port });
    });
  }

  /**
   * Binds the new address; when the same port is taken by the old socket on an overlapping address,
   * the old socket (and its connections) must go first, and comes back if the new bind still fails.
   */
  async function move(o: SrtReloadable): Promise<void> {
    const old = listener!;
    let next: SrtListener;
    try {
      next = bind(o);
    } catch (err) {
      if (!(err instanceof Deno.errors.AddrInUse) || o.port !== old.port) {
        throw new Error(`srt listener cannot move to ${o.hostname}:${o.port}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      log.warn("srt listener moves on its own port: its connections end", { port: o.port });
      await old.close();
      retired = addCounts(retired, { ...old.stats(), sessions: 0, pending: 0 });
      try {
        next = bind(o);
      } catch (err2) {
        listener = bind({ ...current, port: old.port });
        throw new Error(`srt listener cannot move to ${o.hostname}:${o.port}: ${(err2 as Error).message}`, {
          cause: err2,
        });
      }
      listener = next;
      return;
    }
    listener = next;
    retire(old);
  }

  async function admit(req: ConnectRequest): Promise<Admission> {
    const remote = `${req.remote.hostname}:${req.remote.port}`;
    let route: StreamRoute;
    try {
      route = parseStreamId(req.streamId);
    } catch (err) {
      return { accept: false, reason: RejectReason.BadRequest, message: (err as Error).message };
    }
    const role = route.mode === "publish" ? "publisher" : "player";
    const admission = {
      role,
      protocol: "srt",
      app: route.app,
      name: route.name,
      vhost: route.vhost,
      query: route.query,
      remote,
    } as const;
    let stream: Stream;
    try {
      stream = role === "publisher"
        ? await hub.publish(admission)
        : await hub.play(admission, { waitMs: current.playWaitMs ?? 1000 });
    } catch (err) {
      return { accept: false, reason: rejectionFor(err), message: (err as Error).message };
    }
    return {
      accept: true,
      onConnection: (conn) => start(conn, stream, role, { remote, streamId: req.streamId }),
      abandon: () => {
        if (role === "publisher") stream.end("connection abandoned");
      },
    };
  }

  function start(
    conn: SrtConnection,
    stream: Stream,
    role: "publisher" | "player",
    at: { remote: string; streamId: string },
  ) {
    const id = `srt#${++seq}`;
    const s: Session = { id, conn, role, key: stream.key, startedAt: Date.now(), ...at };
    sessions.add(s);
    const unregister = opts.hub.sessions.add({
      info: () => {
        const x = conn.stats();
        return {
          id,
          protocol: "srt",
          role,
          remote: at.remote,
          stream: stream.key,
          startedAt: s.startedAt,
          bytesIn: x.recv.bytes,
          bytesOut: x.send.bytes,
        };
      },
      close: (reason) => conn.close(reason),
    });
    const slog = log.child({ sess: id, key: stream.key });
    const st = conn.stats();
    slog.info("srt session start", {
      role,
      remote: at.remote,
      latency_ms: st.latencyMs,
      encrypted: st.encrypted,
    });
    if (role === "publisher") attachPublisher(conn, stream, slog);
    else attachPlayer(conn, stream, slog, fanoutOpts, current.aac);
    conn.closed.then((reason) => {
      unregister();
      sessions.delete(s);
      const x = conn.stats();
      slog.info("srt session stop", {
        role,
        reason,
        duration_s: Math.round((Date.now() - s.startedAt) / 100) / 10,
        bytes_in: x.recv.bytes,
        bytes_out: x.send.bytes,
        lost: x.recv.lost,
        retransmits: x.send.retransmits,
        rtt_ms: x.rttMs,
        key_refreshes: x.encrypted ? x.keyRefreshes : undefined,
      });
    });
  }

  return {
    get port() {
      return listener?.port ?? 0;
    },
    start() {
      listener = bind(opts);
      return Promise.resolve();
    },
    async update(o) {
      if (!listener) throw new Error("srt server is not started");
      const resize = o.recvBuffer !== current.recvBuffer || o.sendBuffer !== current.sendBuffer;
      if (o.hostname !== current.hostname || o.port !== current.port) await move(o);
      current = o;
      for (const l of [listener, ...draining]) {
        l.configure(listenerOptions(o));
        if (resize) sizeBuffers(l, o);
      }
      Object.assign(fanoutOpts, o.fanout);
    },
    async close() {
      await Promise.all([listener?.close(), ...[...draining].map((l) => l.close())]);
    },
    stats() {
      let counts = retired;
      for (const l of [listener, ...draining]) if (l) counts = addCounts(counts, l.stats());
      const byState: Record<SrtConnState, SrtStateStats> = {
        idle: { conns: counts.pending, bytesIn: 0, bytesOut: 0 },
        read: { conns: 0, bytesIn: 0, bytesOut: 0 },
        publish: { conns: 0, bytesIn: 0, bytesOut: 0 },
      };
      const list = [...sessions].map((s) => ({
        id: s.id,
        role: s.role,
        key: s.key,
        remote: s.remote,
        streamId: s.streamId,
        startedAt: s.startedAt,
        ...s.conn.stats(),
      }));
      for (const e of list) {
        const st = byState[e.role === "publisher" ? "publish" : "read"];
        st.conns++;
        st.bytesIn += e.recv.bytes;
        st.bytesOut += e.send.bytes;
      }
      return { port: listener?.port ?? 0, ...counts, draining: draining.size, byState, list };
    },
  };
}
