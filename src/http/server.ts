/**
 * The HTTP listener (and the HTTPS one when a certificate is given), both serving the same app.
 * Port 0 picks a free port; the chosen one is logged and exposed as `port`/`tlsPort`. The sockets
 * are our own HTTP front's (src/http/front): deadlines, connection limits, a strict parser.
 */
import type { Logger } from "../log/mod.ts";
import type { ListenerCounters } from "../metrics/mod.ts";
import { createHttpApp, type HttpApp } from "./app.ts";
import type { HttpDeps } from "./deps.ts";
import {
  ConnTable,
  type FrontFetch,
  type FrontLimits,
  FrontListener,
  type HotRoute,
  serveConnection,
} from "./front/mod.ts";

export interface HttpServerOptions {
  /** A prebuilt app, or the deps to build one with every feature. */
  app?: HttpApp;
  deps?: HttpDeps;
  log: Logger;
  hostname?: string;
  port: number;
  tls?: { cert: string; key: string; port: number };
  /** Connection limits and deadlines; the object is read live, so edits apply to new requests. */
  limits?: Partial<FrontLimits>;
  /** Routes answered before the app (HLS/DASH playlists and segments); counted in the app's requests. */
  hot?: HotRoute;
}

export interface HttpListenOptions {
  hostname: string;
  port: number;
  tls?: { cert: string; key: string; port: number };
}

export interface HttpServer {
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * Moves the listeners (a reload changed the address, port or TLS material). The new ones open
   * first, so a port in use leaves the old ones serving; the old ones then stop accepting, and the
   * responses already streaming on them (FLV players) go on until they end.
   */
  rebind(next: HttpListenOptions): Promise<void>;
  /** The bound ports (valid after start; -1 when not listening). */
  readonly port: number;
  readonly tlsPort: number;
  readonly app: HttpApp;
  stats(): HttpServerStats;
}

export interface HttpServerStats {
  port: number;
  tlsPort: number;
  requests: number;
  errors: number;
  /** Long-lived responses (FLV, WebSockets) open now. */
  live: number;
  /** Connections open now. */
  conns: number;
  /** The accept loop's counters: open, refused by reason, failed accepts. */
  listener: ListenerCounters;
}

interface Bound {
  plain: FrontListener;
  secure?: FrontListener;
}

/** Defaults for what the config does not give (tests building a server by hand). */
export const DEFAULT_FRONT_LIMITS: FrontLimits = {
  maxConns: 10_000,
  maxConnsPerIp: 1000,
  fdReserve: 64,
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  wsIdleMs: 60_000,
  maxBody: 64 << 20,
  maxWsMessage: 1 << 20,
};

export function createHttpServer(opts: HttpServerOptions): HttpServer {
  const app = opts.app ?? (opts.deps ? createHttpApp(opts.deps) : undefined);
  if (!app) throw new TypeError("createHttpServer needs an app or deps");
  const log = opts.log.child({ svc: "http" });
  // Read per connection: update() edits this object in place.
  const limits = Object.assign(opts.limits ?? {}, { ...DEFAULT_FRONT_LIMITS, ...opts.limits });
  const table = new ConnTable(log);
  let bound: Bound | undefined;
  /** Listeners replaced by a rebind, still finishing their responses. */
  const retired = new Set<Promise<void>>();
  const fetch: FrontFetch = (req, env) => app.fetch(req, env);
  const routes = opts.hot;
  const hot: HotRoute | undefined = routes && ((req) => {
    const answer = routes(req);
    if (answer) app.stats.requests++;
    return answer;
  });
  const accept = {
    log,
    limits,
    table,
    onConn: (conn: Deno.Conn, tls: boolean) => serveConnection(conn, { fetch, hot, limits, log, tls }),
  };

  const listen = (o: HttpListenOptions): Bound => {
    const hostname = o.hostname || "0.0.0.0";
    const plain = new FrontListener({ hostname, port: o.port }, accept);
    if (!o.tls) return { plain };
    try {
      const secure = new FrontListener({ hostname, port: o.tls.port, tls: o.tls }, accept);
      return { plain, secure };
    } catch (err) {
      plain.close();
      throw err;
    }
  };

  return {
    get port() {
      return bound?.plain.port ?? -1;
    },
    get tlsPort() {
      return bound?.secure?.port ?? -1;
    },
    app,
    start() {
      app.sessions.open();
      bound = listen({ hostname: opts.hostname ?? "0.0.0.0", port: opts.port, tls: opts.tls });
      return Promise.resolve();
    },
    async rebind(next) {
      const old = bound;
      bound = listen(next);
      if (!old) return;
      // Only the listening sockets close: live players on connections they accepted go on.
      const done = Promise.all([old.plain.close(), old.secure?.close()]).then(() => {});
      retired.add(done);
      done.finally(() => retired.delete(done));
      await done;
    },
    async close() {
      app.sessions.closeAll("server stopping");
      await Promise.all([bound?.plain.close(), bound?.secure?.close(), ...retired]);
      table.closeAll();
      bound = undefined;
      log.info("stopped", app.stats);
    },
    stats() {
      return {
        port: bound?.plain.port ?? -1,
        tlsPort: bound?.secure?.port ?? -1,
        ...app.stats,
        live: app.sessions.size,
        conns: table.size,
        listener: table.guard.counters(),
      };
    },
  };
}
