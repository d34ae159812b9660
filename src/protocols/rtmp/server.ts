/** `createRtmpServer`: RTMP (and RTMPS) listeners running one RtmpSession per connection. */
import type { FanoutOptions } from "../../core/fanout.ts";
import type { Hub } from "../../core/hub.ts";
import type { Logger } from "../../log/mod.ts";
import { DEFAULT_MAX_MESSAGE } from "./chunk_stream.ts";
import { RtmpSession, type SessionOptions } from "./session.ts";
import { TcpListeners } from "../tcp_listeners.ts";

export interface RtmpServerOptions {
  hub: Hub;
  log: Logger;
  hostname?: string;
  /** 0 = any free port (see `port` after start). */
  port: number;
  tls?: { cert: string; key: string; port: number; hostname?: string };
  /** Our outgoing chunk size, sent to every peer after connect (config `chunksize`). Default 4096. */
  chunkSize?: number;
  /** Legacy codec id of HEVC (config `codech265`). Default 12. */
  hevcCodecId?: number;
  /** Play of a stream that is not live: wait `playWaitMs` for its publisher, or fail at once. */
  notFound?: "wait" | "reject";
  playWaitMs?: number;
  /** A peer must complete the handshake and send connect within this. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Largest message accepted from a peer. Default 8 MiB. */
  maxMessageLength?: number;
  /** Repeat extended timestamps on fmt 3 chunks (config `hdr3exttime`). Default true. */
  fmt3ExtTime?: boolean;
  /** Window Acknowledgement Size and Set Peer Bandwidth we announce. Default 2.5 MB. */
  windowAckSize?: number;
  /** PingRequest interval; 0 = none. Default 30 s. */
  pingIntervalMs?: number;
  /** Player fan-out tuning (batching and back-pressure). */
  fanout?: Partial<FanoutOptions>;
}

export interface RtmpServer {
  start(): Promise<void>;
  close(): Promise<void>;
  /** The bound RTMP port (useful with port 0). */
  readonly port: number;
  /** The bound RTMPS port, or 0 without TLS. */
  readonly tlsPort: number;
  stats(): Record<string, unknown>;
}

export const DEFAULT_FANOUT: FanoutOptions = {
  batchMs: 30,
  maxQueueBytes: 8 * 1024 * 1024,
  maxDrops: 3,
  stallMs: 10_000,
  fastStart: true,
};

export function createRtmpServer(opts: RtmpServerOptions): RtmpServer {
  const log = opts.log;
  const sessionOpts: Omit<SessionOptions, "log"> = {
    hub: opts.hub,
    chunkSize: opts.chunkSize ?? 4096,
    hevcCodecId: opts.hevcCodecId ?? 12,
    notFound: opts.notFound ?? "reject",
    playWaitMs: opts.playWaitMs ?? 10_000,
    handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 10_000,
    maxMessageLength: opts.maxMessageLength ?? DEFAULT_MAX_MESSAGE,
    fmt3ExtTime: opts.fmt3ExtTime ?? true,
    windowAckSize: opts.windowAckSize ?? 2_500_000,
    pingIntervalMs: opts.pingIntervalMs ?? 30_000,
    fanout: { ...DEFAULT_FANOUT, ...opts.fanout },
  };
  const sessions = new Map<RtmpSession, Promise<void>>();
  let nextId = 1;
  let closed = false;
  const totals = { sessions: 0, bytesIn: 0, bytesOut: 0 };
  const listeners = new TcpListeners({
    name: "rtmp",
    hostname: opts.hostname ?? "0.0.0.0",
    port: opts.port,
    tls: opts.tls,
    log,
    onConn(conn, tls) {
      const id = nextId++;
      const s = new RtmpSession(conn, {
        ...sessionOpts,
        log: log.child({ sess: `rtmp${tls ? "s" : ""}#${id}` }),
      });
      totals.sessions++;
      sessions.set(
        s,
        s.run().finally(() => {
          sessions.delete(s);
          totals.bytesIn += s.bytesIn;
          totals.bytesOut += s.bytesOut;
        }),
      );
    },
  });

  return {
    get port() {
      return listeners.port;
    },
    get tlsPort() {
      return listeners.tlsPort;
    },
    start() {
      listeners.start();
      return Promise.resolve();
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopping = listeners.close();
      for (const s of sessions.keys()) s.close("server stopping");
      await Promise.all([stopping, ...sessions.values()]);
    },
    stats() {
      let publishers = 0, players = 0, bytesIn = totals.bytesIn, bytesOut = totals.bytesOut;
      for (const s of sessions.keys()) {
        if (s.role === "publisher") publishers++;
        if (s.role === "player") players++;
        bytesIn += s.bytesIn;
        bytesOut += s.bytesOut;
      }
      const { port, tlsPort } = listeners;
      return {
        port,
        tlsPort,
        ssl: tlsPort > 0,
        connections: sessions.size,
        publishers,
        players,
        totalSessions: totals.sessions,
        bytesIn,
        bytesOut,
      };
    },
  };
}
