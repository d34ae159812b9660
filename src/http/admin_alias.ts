/**
 * smart_rtmpd's admin ran as a separate program on port 5000, and its pages and scripts call
 * `/api/login`, `/api/stream`… there. With `<admin><port>` set, that port serves the same app with
 * `/api/*` answered by the admin API (`/admin/api/*`); `/` leads to the portal. Everything else is the
 * HTTP service's own, so the portal's pages and players work on that port too.
 */
import type { Logger } from "../log/mod.ts";
import type { HttpApp } from "./app.ts";
import type { FrontLimits } from "./front/mod.ts";
import { LiveSessions } from "./live_sessions.ts";
import { createHttpServer, type HttpServer } from "./server.ts";

/** The app as the alias port sees it: /api/x is /admin/api/x. */
export function adminAliasApp(app: HttpApp): HttpApp {
  return {
    ...app,
    // Its own set: stopping the alias must not end the players of the main listeners.
    sessions: new LiveSessions(),
    fetch(req, env) {
      const url = new URL(req.url);
      if (url.pathname === "/") return Response.redirect(new URL("/admin/", url), 302);
      if (!url.pathname.startsWith("/api/")) return app.fetch(req, env);
      url.pathname = `/admin${url.pathname}`;
      const init: RequestInit & { duplex?: string } = {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        duplex: "half",
      };
      return app.fetch(new Request(url, init), env);
    },
  };
}

/** The alias listener: opened, moved or closed as `<admin><port>` and the HTTP address change. */
export class AdminAlias {
  #app: HttpApp;
  #log: Logger;
  #limits: Partial<FrontLimits>;
  #server: HttpServer | undefined;
  #bound = "";

  constructor(app: HttpApp, log: Logger, limits: Partial<FrontLimits>) {
    this.#app = adminAliasApp(app);
    this.#log = log;
    this.#limits = limits;
  }

  get port(): number {
    return this.#server?.port ?? 0;
  }

  /** port 0 closes it. */
  async set(hostname: string, port: number): Promise<void> {
    const key = `${hostname}:${port}`;
    if (key === this.#bound) return;
    if (port === 0) return await this.close();
    if (this.#server) {
      await this.#server.rebind({ hostname, port });
    } else {
      const s = createHttpServer({ app: this.#app, log: this.#log, hostname, port, limits: this.#limits });
      await s.start();
      this.#server = s;
    }
    this.#bound = key;
    this.#log.info("admin API alias listening", { port: this.port, paths: "/api/* = /admin/api/*" });
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    this.#bound = "";
    await s?.close();
  }
}
