/**
 * The one Hono app: every HTTP feature mounts its router here, in order, with static files last.
 * CORS is open because players (flv.js, hls.js, dash.js) are often served from other origins.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { HttpDeps } from "./deps.ts";
import { LiveSessions } from "./live_sessions.ts";
import { apiAuth, routes as apiRoutes } from "./api.ts";
import { routes as flvRoutes } from "./flv.ts";
import { routes as streamsRoutes } from "./streams_api.ts";
import { routes as staticRoutes } from "./static.ts";
import { EXPOSE_HEADERS } from "./cors_headers.ts";

export type Feature = (deps: HttpDeps) => Hono;

/** The routers before static files; other features (hls, dash, vod, whep) are added by the service. */
export const FEATURES: readonly Feature[] = [apiRoutes, streamsRoutes, flvRoutes];

export interface HttpApp {
  hono: Hono;
  /** The front passes its FrontEnv (client address, WebSocket upgrade) as the second argument: Hono's `c.env`. */
  fetch: (req: Request, info?: unknown) => Response | Promise<Response>;
  sessions: LiveSessions;
  stats: { requests: number; errors: number };
}

export function createHttpApp(deps: HttpDeps, features: readonly Feature[] = FEATURES): HttpApp {
  // The features keep this very object: a reload edits it in place (options, the auth callback).
  const sessions = deps.sessions ??= new LiveSessions();
  const d: HttpDeps = deps;
  const stats = { requests: 0, errors: 0 };
  const log = deps.log.child({ sess: "http" });
  const app = new Hono();
  app.use("*", async (_c, next) => {
    stats.requests++;
    await next();
  });
  // A preflight's own headers (WHIP/WHEP list ICE servers in `Link`) go on before CORS answers it.
  app.use("*", async (c, next) => {
    if (c.req.method === "OPTIONS") {
      for (const [k, v] of d.preflightHeaders?.(c.req.path) ?? []) c.header(k, v, { append: true });
    }
    await next();
  });
  app.use(
    "*",
    cors({
      origin: "*",
      maxAge: 86400,
      exposeHeaders: [...EXPOSE_HEADERS],
    }),
  );
  if (d.workers) {
    // The worker list is the API's: behind the auth callback like the rest of /api.
    app.use("/api/workers", apiAuth(d));
    app.use("*", async (c, next) => {
      const env = c.env as { remoteAddr?: Deno.NetAddr } | undefined;
      const whole = d.workers?.intercept(c.req.raw, env?.remoteAddr);
      if (!whole) return await next();
      return await whole;
    });
  }
  for (const f of features) app.route("/", f(d));
  app.route("/", staticRoutes(d));
  app.notFound((c) => c.json({ code: 404, msg: `not found: ${c.req.path}` }, 404));
  app.onError((err, c) => {
    stats.errors++;
    log.error("request failed", { method: c.req.method, path: c.req.path, err });
    return c.json({ code: 500, msg: "internal error" }, 500);
  });
  return { hono: app, fetch: (req, info) => app.fetch(req, info), sessions, stats };
}
