/**
 * The SRT service: one UDP listener; the stream id picks publish or play and the hub admits it
 * (protocol "srt"). Hub errors become libsrt access-control rejections, so clients exit cleanly.
 */
import {
  AppNotAllowedError,
  AuthError,
  BadNameError,
  type FanoutOptions,
  type Hub,
  NotFoundError,
  ProtocolError,
  type Stream,
  StreamBusyError,
} from "../../core/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { SrtConnection, SrtStats } from "./connection.ts";
import { RejectReason } from "./handshake.ts";
import { type Admission, type ConnectRequest, SrtListener } from "./listener.ts";
import { attachPlayer } from "./player.ts";
import { attachPublisher } from "./publisher.ts";
import { parseStreamId, type StreamRoute } from "./streamid.ts";

export interface SrtServerOptions {
  hub: Hub;
  log: Logger;
  hostname: string;
  /** UDP port; 0 picks a free one (see `port`). */
  port: number;
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
  maxSessions?: number;
  fanout?: Partial<FanoutOptions>;
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

export interface SrtServer {
  start(): Promise<void>;
  close(): Promise<void>;
  readonly port: number;
  stats(): {
    port: number;
    sessions: number;
    handshakes: number;
    rejected: number;
    badPackets: number;
    strayPackets: number;
    list: SrtSessionInfo[];
  };
}

const FANOUT_DEFAULTS: FanoutOptions = {
  batchMs: 20,
  maxQueueBytes: 8 << 20,
  maxDrops: 8,
  stallMs: 10_000,
  fastStart: true,
};

interface Session {
  id: string;
  conn: SrtConnection;
  role: "publisher" | "player";
  key: string;
  remote: string;
  streamId: string;
  startedAt: number;
}

export function createSrtServer(opts: SrtServerOptions): SrtServer {
  const { hub, log } = opts;
  const fanoutOpts = { ...FANOUT_DEFAULTS, ...opts.fanout };
  const sessions = new Set<Session>();
  let seq = 0;
  let listener: SrtListener | undefined;

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
        : await hub.play(admission, { waitMs: opts.playWaitMs ?? 1000 });
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
    const slog = log.child({ sess: id, key: stream.key });
    const st = conn.stats();
    slog.info("srt session start", {
      role,
      remote: at.remote,
      latency_ms: st.latencyMs,
      encrypted: st.encrypted,
    });
    if (role === "publisher") attachPublisher(conn, stream, slog);
    else attachPlayer(conn, stream, slog, fanoutOpts);
    conn.closed.then((reason) => {
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
      listener = new SrtListener({
        hostname: opts.hostname,
        port: opts.port,
        latencyMs: opts.latencyMs,
        passphrase: opts.passphrase || undefined,
        pbkeylen: opts.pbkeylen,
        peerIdleTimeoutMs: opts.maxIdleMs > 0 ? opts.maxIdleMs : 5000,
        maxSessions: opts.maxSessions,
        log,
        admit,
        kmRefreshRate: opts.kmRefreshRate,
        kmPreAnnounce: opts.kmPreAnnounce,
      });
      listener.start();
      log.info("srt listening", {
        hostname: opts.hostname,
        port: listener.port,
        encrypted: !!opts.passphrase,
      });
      return Promise.resolve();
    },
    async close() {
      await listener?.close();
    },
    stats() {
      const l = listener?.stats() ??
        { sessions: 0, handshakes: 0, rejected: 0, badPackets: 0, strayPackets: 0 };
      return {
        port: listener?.port ?? 0,
        ...l,
        list: [...sessions].map((s) => ({
          id: s.id,
          role: s.role,
          key: s.key,
          remote: s.remote,
          streamId: s.streamId,
          startedAt: s.startedAt,
          ...s.conn.stats(),
        })),
      };
    },
  };
}

/** Hub admission errors → libsrt access-control codes (SRT_REJX_*). */
export function rejectionFor(err: unknown): number {
  if (err instanceof StreamBusyError) return RejectReason.Conflict;
  if (err instanceof NotFoundError) return RejectReason.NotFound;
  if (err instanceof AuthError || err instanceof AppNotAllowedError) return RejectReason.Forbidden;
  if (err instanceof BadNameError || err instanceof ProtocolError) return RejectReason.BadRequest;
  return RejectReason.Ipe;
}
