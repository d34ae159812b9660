/**
 * The HTTP listener (and the HTTPS one when a certificate is given), both serving the same app.
 * Port 0 picks a free port; the chosen one is logged and exposed as `port`/`tlsPort`.
 */
import type { Logger } from "../log/mod.ts";
import { createHttpApp, type HttpApp } from "./app.ts";
import type { HttpDeps } from "./deps.ts";

export interface HttpServerOptions {
  /** A prebuilt app, or the deps to build one with every feature. */
  app?: HttpApp;
  deps?: HttpDeps;
  log: Logger;
  hostname?: string;
  port: number;
  tls?: { cert: string; key: string; port: number };
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
}

interface Bound {
  plain: Deno.HttpServer<Deno.NetAddr>;
  secure?: Deno.HttpServer<Deno.NetAddr>;
  port: number;
  tlsPort: number;
}

export function createHttpServer(opts: HttpServerOptions): HttpServer {
  const app = opts.app ?? (opts.deps ? createHttpApp(opts.deps) : undefined);
  if (!app) throw new TypeError("createHttpServer needs an app or deps");
  const log = opts.log.child({ svc: "http" });
  let bound: Bound | undefined;
  /** Listeners replaced by a rebind, still finishing their responses. */
  const retired = new Set<Promise<void>>();

  const onError = (err: unknown) => {
    log.error("request failed", { err });
    return new Response(JSON.stringify({ code: 500, msg: "internal error" }), { status: 500 });
  };

  const serve = (hostname: string, port: number, tls?: { cert: string; key: string }) =>
    new Promise<Deno.HttpServer<Deno.NetAddr>>((resolve, reject) => {
      try {
        const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
          hostname,
          port,
          ...(tls ?? {}),
          onError,
          onListen: (a) => {
            log.info("listening", { proto: tls ? "https" : "http", addr: `${a.hostname}:${a.port}` });
            // onListen runs inside Deno.serve(), before `server` is assigned.
            queueMicrotask(() => resolve(server));
          },
        }, app.fetch);
      } catch (err) {
        reject(err);
      }
    });

  const listen = async (o: HttpListenOptions): Promise<Bound> => {
    const hostname = o.hostname || "0.0.0.0";
    const plain = await serve(hostname, o.port);
    if (!o.tls) return { plain, port: plain.addr.port, tlsPort: -1 };
    try {
      const secure = await serve(hostname, o.tls.port, { cert: o.tls.cert, key: o.tls.key });
      return { plain, secure, port: plain.addr.port, tlsPort: secure.addr.port };
    } catch (err) {
      await plain.shutdown();
      throw err;
    }
  };

  return {
    get port() {
      return bound?.port ?? -1;
    },
    get tlsPort() {
      return bound?.tlsPort ?? -1;
    },
    app,
    async start() {
      app.sessions.open();
      bound = await listen({ hostname: opts.hostname ?? "0.0.0.0", port: opts.port, tls: opts.tls });
    },
    async rebind(next) {
      const old = bound;
      bound = await listen(next);
      if (!old) return;
      // shutdown() resolves when the old listener's last response ends: do not wait for live players.
      const done = Promise.all([old.plain.shutdown(), old.secure?.shutdown()]).then(() => {});
      retired.add(done);
      done.finally(() => retired.delete(done));
    },
    async close() {
      app.sessions.closeAll("server stopping");
      await Promise.all([bound?.plain.shutdown(), bound?.secure?.shutdown(), ...retired]);
      bound = undefined;
      log.info("stopped", app.stats);
    },
    stats() {
      return {
        port: bound?.port ?? -1,
        tlsPort: bound?.tlsPort ?? -1,
        ...app.stats,
        live: app.sessions.size,
      };
    },
  };
}
