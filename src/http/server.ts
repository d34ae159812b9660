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

export interface HttpServer {
  start(): Promise<void>;
  close(): Promise<void>;
  /** The bound ports (valid after start; -1 when not listening). */
  readonly port: number;
  readonly tlsPort: number;
  readonly app: HttpApp;
  stats(): Record<string, unknown>;
}

export function createHttpServer(opts: HttpServerOptions): HttpServer {
  const app = opts.app ?? (opts.deps ? createHttpApp(opts.deps) : undefined);
  if (!app) throw new TypeError("createHttpServer needs an app or deps");
  const log = opts.log.child({ svc: "http" });
  const hostname = opts.hostname || "0.0.0.0";
  let plain: Deno.HttpServer<Deno.NetAddr> | undefined;
  let secure: Deno.HttpServer<Deno.NetAddr> | undefined;
  let port = -1, tlsPort = -1;

  const onError = (err: unknown) => {
    log.error("request failed", { err });
    return new Response(JSON.stringify({ code: 500, msg: "internal error" }), { status: 500 });
  };

  return {
    get port() {
      return port;
    },
    get tlsPort() {
      return tlsPort;
    },
    app,
    async start() {
      app.sessions.open();
      await new Promise<void>((resolve, reject) => {
        try {
          plain = Deno.serve({
            hostname,
            port: opts.port,
            onError,
            onListen: (a) => {
              port = a.port;
              log.info("listening", { proto: "http", addr: `${a.hostname}:${a.port}` });
              resolve();
            },
          }, app.fetch);
        } catch (err) {
          reject(err);
        }
      });
      if (opts.tls) {
        const tls = opts.tls;
        await new Promise<void>((resolve, reject) => {
          try {
            secure = Deno.serve({
              hostname,
              port: tls.port,
              cert: tls.cert,
              key: tls.key,
              onError,
              onListen: (a) => {
                tlsPort = a.port;
                log.info("listening", { proto: "https", addr: `${a.hostname}:${a.port}` });
                resolve();
              },
            }, app.fetch);
          } catch (err) {
            reject(err);
          }
        }).catch(async (err) => {
          await plain?.shutdown();
          throw err;
        });
      }
    },
    async close() {
      app.sessions.closeAll("server stopping");
      await Promise.all([plain?.shutdown(), secure?.shutdown()]);
      plain = secure = undefined;
      log.info("stopped", app.stats);
    },
    stats() {
      return { port, tlsPort, ...app.stats, live: app.sessions.size };
    },
  };
}
