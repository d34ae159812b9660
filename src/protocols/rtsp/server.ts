/** `createRtspServer`: RTSP (and RTSPS) listeners, one RtspConnection per client. */
import type { FanoutOptions } from "../../core/fanout.ts";
import type { Hub } from "../../core/hub.ts";
import type { Logger } from "../../log/mod.ts";
import { RtspAuthenticator } from "./auth.ts";
import { TcpListeners } from "../tcp_listeners.ts";
import { RtspConnection } from "./connection.ts";
import type { PayloadTypes, RtspContext } from "./context.ts";
import { UdpPortPool } from "./udp.ts";

export interface RtspServerOptions {
  hub: Hub;
  log: Logger;
  hostname?: string;
  /** 0 = any free port (see `port` after start). */
  port: number;
  /** RTSPS listener (`<rtsp><sport>`). */
  tls?: { cert: string; key: string; port: number; hostname?: string };
  /** UDP ports for RTP (even) and RTCP (odd), from `<rtp min max>`. */
  rtpPortRange: { min: number; max: number };
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
  /** user → password; when set, every request but OPTIONS needs Basic or Digest credentials. */
  users?: Record<string, string>;
  fanout?: Partial<FanoutOptions>;
}

export interface RtspServer {
  start(): Promise<void>;
  close(): Promise<void>;
  readonly port: number;
  /** The bound RTSPS port, or 0 without TLS. */
  readonly tlsPort: number;
  stats(): Record<string, unknown>;
}

export const DEFAULT_RTSP_FANOUT: FanoutOptions = {
  batchMs: 20,
  maxQueueBytes: 8 * 1024 * 1024,
  maxDrops: 3,
  stallMs: 10_000,
  fastStart: true,
};

export function createRtspServer(opts: RtspServerOptions): RtspServer {
  const hostname = opts.hostname || "0.0.0.0";
  const natHost = opts.natHost ? opts.natHost.replace(/:\d+$/, "") : undefined;
  const ctx: RtspContext = {
    hub: opts.hub,
    log: opts.log,
    auth: opts.users && Object.keys(opts.users).length > 0 ? new RtspAuthenticator(opts.users) : undefined,
    ports: new UdpPortPool(opts.rtpPortRange, hostname),
    mtu: opts.mtu ?? 1460,
    payloadTypes: { h264: 96, h265: 98, aac: 97, opus: 111, ...opts.rtpPayloadTypes },
    natHost,
    maxIdleMs: opts.maxIdleMs,
    playWaitMs: opts.playWaitMs ?? 0,
    fanout: { ...DEFAULT_RTSP_FANOUT, ...opts.fanout },
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
    onConn(conn, tls) {
      ctx.totals.connections++;
      const id = `${tls ? "rtsps" : "rtsp"}#${nextId++}`;
      const c = new RtspConnection(conn, ctx, opts.log.child({ sess: id }));
      const done = c.run().catch((err) => opts.log.error("rtsp connection crashed", { sess: id, error: err }))
        .finally(() => connections.delete(c));
      connections.set(c, done);
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
      const stopping = listeners.close();
      for (const c of connections.keys()) c.close("server stopping");
      await Promise.all([stopping, ...connections.values()]);
    },
    stats() {
      let players = 0, publishers = 0;
      for (const s of ctx.sessions.values()) s.mode === "play" ? players++ : publishers++;
      return {
        port: listeners.port,
        tlsPort: listeners.tlsPort,
        openConnections: connections.size,
        sessions: ctx.sessions.size,
        players,
        publishers,
        udpPairs: ctx.ports.inUse,
        ...ctx.totals,
      };
    },
  };
}
