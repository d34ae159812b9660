/** `createRtmpServer`: RTMP (and RTMPS) listeners running one RtmpSession per connection. */
import { FANOUT_DEFAULTS, type FanoutOptions } from "../../core/fanout.ts";
import type { Hub } from "../../core/hub.ts";
import { RELAY_PLAYER } from "../../core/stream.ts";
import type { Logger } from "../../log/mod.ts";
import type { AacViewSettings } from "../../transcode/mod.ts";
import { DEFAULT_MAX_MESSAGE } from "./chunk_stream.ts";
import { RtmpSession, type SessionOptions } from "./session.ts";
import { type ConnLimits, type ListeningServer, TcpListeners, type TcpTls } from "../../net/mod.ts";
import type { ListenerCounters } from "../../metrics/mod.ts";

/** What a reload may change on a running server (see `update`). */
export interface RtmpReloadable {
  hostname?: string;
  /** 0 = any free port (see `port` after start). */
  port: number;
  tls?: TcpTls;
  /** Our outgoing chunk size, sent to every peer after connect (config `chunksize`). Default 4096. */
  chunkSize?: number;
  /** Legacy codec id of HEVC (config `codech265`). Default 12. */
  hevcCodecId?: number;
  /** Play of a stream that is not live: wait `playWaitMs` for its publisher, or fail at once. */
  notFound?: "wait" | "reject";
  playWaitMs?: number;
  /** Repeat extended timestamps on fmt 3 chunks (config `hdr3exttime`). Default true. */
  fmt3ExtTime?: boolean;
  /** Player fan-out tuning (batching and back-pressure). */
  fanout?: Partial<FanoutOptions>;
  /** A peer must complete the handshake and send connect within this; 0 = none. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** A peer must send publish or play within this after connect; 0 = none. Default 10 s. */
  startTimeoutMs?: number;
  /** Connection limits of the RTMP and RTMPS listeners together. */
  limits?: Partial<ConnLimits>;
  /**
   * Opus → AAC for players without Enhanced RTMP Opus (bitrate in bit/s); null = off. Default: on at
   * the encoder's default bitrate. A reload applies it to players that come after it.
   */
  aac?: AacViewSettings;
}

export interface RtmpServerOptions extends RtmpReloadable {
  hub: Hub;
  log: Logger;
  /** Largest message accepted from a peer. Default 8 MiB. */
  maxMessageLength?: number;
  /** Window Acknowledgement Size and Set Peer Bandwidth we announce. Default 2.5 MB. */
  windowAckSize?: number;
  /** PingRequest interval; 0 = none. Default 30 s. */
  pingIntervalMs?: number;
  /**
   * A worker's private relay listener: a connect carrying this secret (RELAY_PROPERTY) is a sibling
   * worker's relay. Its plays count as RELAY_PLAYER (not as the server's players) and the hub trusts
   * them (the player that asked was admitted on its own worker); any other client is a plain RTMP one.
   */
  relaySecret?: string;
}

/** A connection's state, as MediaMTX names it: before publish/play, publishing, or playing. */
export type RtmpConnState = "idle" | "publish" | "read";

export interface RtmpStateStats {
  conns: number;
  bytesIn: number;
  bytesOut: number;
}

export interface RtmpServerStats {
  port: number;
  tlsPort: number;
  ssl: boolean;
  /** Open connections. */
  connections: number;
  publishers: number;
  players: number;
  /** Open connections and their bytes, by state. */
  byState: Record<RtmpConnState, RtmpStateStats>;
  /** Connections accepted since start. */
  totalSessions: number;
  /** Bytes of every connection since start, open or closed. */
  bytesIn: number;
  bytesOut: number;
  /** The accept loop's counters (both listeners together). */
  listener: ListenerCounters;
}

/** RTMP and RTMPS: waits, chunk size, codec id and the fan-out options reach running sessions on reload. */
export type RtmpServer = ListeningServer<RtmpReloadable, RtmpServerStats>;

function reloadable(o: RtmpReloadable) {
  return {
    chunkSize: o.chunkSize ?? 4096,
    hevcCodecId: o.hevcCodecId ?? 12,
    notFound: o.notFound ?? "reject",
    playWaitMs: o.playWaitMs ?? 10_000,
    fmt3ExtTime: o.fmt3ExtTime ?? true,
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? 10_000,
    startTimeoutMs: o.startTimeoutMs ?? 10_000,
    aac: o.aac === undefined ? {} : o.aac,
  } as const;
}

/** How long a stopping server lets players flush their end-of-stream messages. */
const PLAYER_GOODBYE_MS = 1000;

export function createRtmpServer(opts: RtmpServerOptions): RtmpServer {
  const log = opts.log;
  // One object for every session, edited in place by update(): sessions read it when they act,
  // and every Fanout keeps `fanout` by reference and re-reads it at each flush.
  const shared: SessionOptions = {
    hub: opts.hub,
    maxMessageLength: opts.maxMessageLength ?? DEFAULT_MAX_MESSAGE,
    windowAckSize: opts.windowAckSize ?? 2_500_000,
    pingIntervalMs: opts.pingIntervalMs ?? 30_000,
    relaySecret: opts.relaySecret,
    ...reloadable(opts),
    fanout: { ...FANOUT_DEFAULTS, ...opts.fanout },
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
    limits: opts.limits,
    onConn(conn, tls) {
      const id = nextId++;
      const s = new RtmpSession(conn, shared, log.child({ sess: `rtmp${tls ? "s" : ""}#${id}` }));
      totals.sessions++;
      const protocol = tls ? "rtmps" : "rtmp";
      const unregister = opts.hub.sessions.add({
        info: () => ({
          id: `${protocol}#${id}`,
          // A sibling worker's relay is listed as such (not as one of this server's players).
          protocol: s.relay ? RELAY_PLAYER : protocol,
          role: s.role || "idle",
          remote: s.remote,
          stream: s.key || undefined,
          startedAt: s.startedAt,
          bytesIn: s.bytesIn,
          bytesOut: s.bytesOut,
        }),
        close: (reason) => s.close(reason),
      });
      const done = s.run().finally(() => {
        unregister();
        sessions.delete(s);
        totals.bytesIn += s.bytesIn;
        totals.bytesOut += s.bytesOut;
      });
      sessions.set(s, done);
      return done;
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
    async update(o) {
      await listeners.rebind({ hostname: o.hostname ?? "0.0.0.0", port: o.port, tls: o.tls });
      Object.assign(shared, reloadable(o));
      Object.assign(shared.fanout, o.fanout);
      if (o.limits) listeners.setLimits(o.limits);
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopping = listeners.close();
      // Players of streams that ended (the hub ends them all when the server stops) are flushing
      // their goodbye, StreamEOF + NetStream.Play.UnpublishNotify, and close themselves: give them
      // a moment before cutting whoever is left.
      const players = [...sessions].filter(([s]) => s.role === "player").map(([, done]) => done);
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (players.length > 0) {
        await Promise.race([
          Promise.all(players),
          new Promise<void>((r) => timer = setTimeout(r, PLAYER_GOODBYE_MS)),
        ]);
        clearTimeout(timer);
      }
      for (const s of sessions.keys()) s.close("server stopping");
      await Promise.all([stopping, ...sessions.values()]);
    },
    stats() {
      const byState: Record<RtmpConnState, RtmpStateStats> = {
        idle: { conns: 0, bytesIn: 0, bytesOut: 0 },
        publish: { conns: 0, bytesIn: 0, bytesOut: 0 },
        read: { conns: 0, bytesIn: 0, bytesOut: 0 },
      };
      let bytesIn = totals.bytesIn, bytesOut = totals.bytesOut;
      for (const s of sessions.keys()) {
        const st = byState[s.role === "publisher" ? "publish" : s.role === "player" ? "read" : "idle"];
        const i = s.bytesIn, o = s.bytesOut;
        st.conns++;
        st.bytesIn += i;
        st.bytesOut += o;
        bytesIn += i;
        bytesOut += o;
      }
      const { port, tlsPort } = listeners;
      return {
        port,
        tlsPort,
        ssl: tlsPort > 0,
        connections: sessions.size,
        publishers: byState.publish.conns,
        players: byState.read.conns,
        byState,
        totalSessions: totals.sessions,
        bytesIn,
        bytesOut,
        listener: listeners.guard.counters(),
      };
    },
  };
}
