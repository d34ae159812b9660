/** `createRtspServer`: RTSP (and RTSPS) listeners, one RtspConnection per client. */
import { FANOUT_DEFAULTS, type FanoutOptions } from "../../core/fanout.ts";
import type { Hub } from "../../core/hub.ts";
import type { Logger } from "../../log/mod.ts";
import { RtspAuthenticator } from "./auth.ts";
import { type ConnLimits, type ListeningServer, TcpListeners, type TcpTls } from "../../net/mod.ts";
import type { ListenerCounters } from "../../metrics/mod.ts";
import { RtspConnection } from "./connection.ts";
import type { PayloadTypes, RtspContext } from "./context.ts";
import { UdpPortPool } from "./udp.ts";

/** What a reload may change on a running server (see `update`). */
export interface RtspReloadable {
  hostname?: string;
  /** 0 = any free port (see `port` after start). */
  port: number;
  /** RTSPS listener (`<rtsp><sport>`). */
  tls?: TcpTls;
  /** UDP ports for RTP (even) and RTCP (odd), from `<rtp min max>`. */
  rtpPortRange: { min: number; max: number };
  /** Receive buffer of a publisher's RTP socket over UDP, bytes (`<sock><recvbuffer>`; 0: the system's). */
  recvBuffer?: number;
  /** Payload types from `<rtmp><rtp h264 h265 aac>`; Opus defaults to 111. */
  rtpPayloadTypes?: Partial<PayloadTypes>;
  /** Largest RTP packet we send (`<rtp size>`, default 1460). */
  mtu?: number;
  /** Public address shown in SDP and Transport headers (`<nat><rtp>`/`<nat><rtsp>`). */
  natHost?: string;
  /** Idle sessions and connections are closed after this (`<rtsp><maxidle>`); 0 = never. */
  maxIdleMs: number;
  /** DESCRIBE of a stream that is not live waits this long for a publisher. Default 0 (404 at once). */
  playWaitMs?: number;
  fanout?: Partial<FanoutOptions>;
  /** A request begun (or the first) must be complete within this (`<rtsp><headertimeout>`); 0 = none. */
  headerTimeoutMs?: number;
  /** Connection limits of the RTSP and RTSPS listeners together. */
  limits?: Partial<ConnLimits>;
}

export interface RtspServerOptions extends RtspReloadable {
  hub: Hub;
  log: Logger;
  /** user → password; when set, every request but OPTIONS needs Basic or Digest credentials. */
  users?: Record<string, string>;
}

/** A session's state, as MediaMTX names it: set up but not moving media, playing, or recording. */
export type RtspSessionState = "idle" | "read" | "publish";

export interface RtspStateStats {
  sessions: number;
  bytesIn: number;
  bytesOut: number;
}

export interface RtspServerStats {
  port: number;
  tlsPort: number;
  openConnections: number;
  sessions: number;
  players: number;
  publishers: number;
  /** Open sessions and their media bytes, by state. */
  byState: Record<RtspSessionState, RtspStateStats>;
  /** UDP port pairs in use (RTP + RTCP). */
  udpPairs: number;
  /** Since start: connections accepted, bytes in and out (requests, interleaved and UDP media), bad packets. */
  connections: number;
  bytesIn: number;
  bytesOut: number;
  badPackets: number;
  /** The accept loop's counters (both listeners together). */
  listener: ListenerCounters;
}

/**
 * RTSP and RTSPS: on reload the idle limit, waits, NAT host and fan-out options reach running sessions;
 * payload types, MTU and the RTP port range apply to new sessions.
 */
export type RtspServer = ListeningServer<RtspReloadable, RtspServerStats>;

/** The context fields a reload sets (everything but the fan-out object, which is edited in place). */
function reloadable(o: RtspReloadable) {
  return {
    mtu: o.mtu ?? 1460,
    payloadTypes: { h264: 96, h265: 98, aac: 97, opus: 111, ...o.rtpPayloadTypes },
    natHost: o.natHost ? o.natHost.replace(/:\d+$/, "") : undefined,
    maxIdleMs: o.maxIdleMs,
    headerTimeoutMs: o.headerTimeoutMs ?? 10_000,
    playWaitMs: o.playWaitMs ?? 0,
  };
}

/** How long a stopping server lets players send their RTCP BYE. */
const PLAYER_GOODBYE_MS = 1000;

export function createRtspServer(opts: RtspServerOptions): RtspServer {
  const hostname = opts.hostname || "0.0.0.0";
  const ctx: RtspContext = {
    hub: opts.hub,
    log: opts.log,
    auth: opts.users && Object.keys(opts.users).length > 0 ? new RtspAuthenticator(opts.users) : undefined,
    ports: new UdpPortPool(opts.rtpPortRange, hostname, opts.recvBuffer),
    ...reloadable(opts),
    fanout: { ...FANOUT_DEFAULTS, ...opts.fanout },
    sessions: new Map(),
    totals: { connections: 0, bytesIn: 0, bytesOut: 0, badPackets: 0 },
  };
  const connections = new Map<RtspConnection, Promise<void>>();
  let nextId = 1;
  const listeners = new TcpListeners({
    name: "rtsp",
    hostname,
    port: opts.port,
    tls: opts.tls,
    log: opts.log,
    limits: opts.limits,
    onConn(conn, tls) {
      ctx.totals.connections++;
      const id = `${tls ? "rtsps" : "rtsp"}#${nextId++}`;
      const c = new RtspConnection(conn, ctx, opts.log.child({ sess: id }));
      const unregister = opts.hub.sessions.add({
        info: () => ({ id, protocol: tls ? "rtsps" : "rtsp", ...c.view() }),
        close: (reason) => c.close(reason),
      });
      const done = c.run().catch((err) => opts.log.error("rtsp connection crashed", { sess: id, error: err }))
        .finally(() => {
          unregister();
          connections.delete(c);
        });
      connections.set(c, done);
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
      const host = o.hostname || "0.0.0.0";
      await listeners.rebind({ hostname: host, port: o.port, tls: o.tls });
      ctx.ports.configure(o.rtpPortRange, host, o.recvBuffer);
      Object.assign(ctx, reloadable(o));
      Object.assign(ctx.fanout, o.fanout);
      if (o.limits) listeners.setLimits(o.limits);
    },
    async close() {
      const stopping = listeners.close();
      // Players of streams that ended (the hub ends them all when the server stops) are sending an
      // RTCP BYE per track and then close themselves: give them that moment before cutting the rest.
      if ([...ctx.sessions.values()].some((s) => s.mode === "play" && s.active)) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.all(connections.values()),
          new Promise<void>((r) => timer = setTimeout(r, PLAYER_GOODBYE_MS)),
        ]);
        clearTimeout(timer);
      }
      for (const c of connections.keys()) c.close("server stopping");
      await Promise.all([stopping, ...connections.values()]);
    },
    stats() {
      let players = 0, publishers = 0;
      const byState: Record<RtspSessionState, RtspStateStats> = {
        idle: { sessions: 0, bytesIn: 0, bytesOut: 0 },
        read: { sessions: 0, bytesIn: 0, bytesOut: 0 },
        publish: { sessions: 0, bytesIn: 0, bytesOut: 0 },
      };
      for (const s of ctx.sessions.values()) {
        s.mode === "play" ? players++ : publishers++;
        const st = byState[!s.active ? "idle" : s.mode === "play" ? "read" : "publish"];
        st.sessions++;
        st.bytesIn += s.bytesReceived;
        st.bytesOut += s.bytesSent;
      }
      return {
        port: listeners.port,
        tlsPort: listeners.tlsPort,
        openConnections: connections.size,
        sessions: ctx.sessions.size,
        players,
        publishers,
        byState,
        udpPairs: ctx.ports.inUse,
        ...ctx.totals,
        listener: listeners.guard.counters(),
      };
    },
  };
}
