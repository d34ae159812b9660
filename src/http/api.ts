/**
 * The web API of the foundation: /api/live and /api/stream (list, details with URLs, player counts;
 * the same answers, as smart_rtmpd gives them on its own port), /api/status and /api/statistics (the
 * metrics as JSON). Shapes follow reference/smart_rtmpd-contracts.md. Plus the probes for
 * orchestrators, /api/health (liveness) and /api/ready (readiness), which answer without the auth
 * callback: a probe carries no token.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Stream } from "../core/mod.ts";
import { AuthError } from "../core/mod.ts";
import { toStatistics } from "../metrics/mod.ts";
import type { HttpDeps } from "./deps.ts";
import type { HttpAuthRequest } from "../auth/mod.ts";
import { requestHost } from "./request.ts";
import { playerCounts, streamDetails, streamWarnings } from "./stream_info.ts";

type Result = { status: 200 | 400 | 404; body: Record<string, unknown>; msg?: string };

/** The list, the details of one stream, or its player counts, depending on the query. */
export function liveAnswer(deps: HttpDeps, req: Request): Result {
  const host = requestHost(req);
  const q = new URL(req.url).searchParams;
  const vhost = q.get("vhost") ?? "";
  const app = q.get("app") ?? "";
  const name = q.get("name") ?? "";
  if (name === "") {
    const pick = (s: Stream) => (app === "" || s.app === app) && (vhost === "" || s.vhost === vhost);
    const stream = deps.hub.streams().filter(pick).map((s) => rtmpUrl(deps, s, host));
    return { status: 200, body: { stream } };
  }
  // Streams are keyed by app/name; vhost is metadata only, so it does not have to match.
  // smart_rtmpd's player asks `?name=` alone (the name is all its list shows): the one live stream so named.
  const named = app === "" ? deps.hub.streams().filter((s) => s.name === name) : [];
  if (named.length > 1) {
    const apps = named.map((s) => s.app).sort().join(", ");
    return { status: 400, body: {}, msg: `app is required: ${name} is live in more than one app (${apps})` };
  }
  const s = app === "" ? named[0] : deps.hub.get(`${app}/${name}`);
  if (!s) return { status: 404, body: {}, msg: `stream ${app === "" ? name : `${app}/${name}`} is not live` };
  if (q.get("cmd") === "count") return { status: 200, body: { ...playerCounts(s) } };
  const details = streamDetails(s, deps.publicUrls(s, host));
  details.app.rec = deps.hub.isRecordApp(s.app);
  const sessions = deps.sessionStats?.(s);
  const forwards = deps.forwards?.(s) ?? [];
  const body: Record<string, unknown> = { ...details };
  if (sessions) body.sessions = sessions;
  if (forwards.length > 0) body.forwards = forwards;
  const pull = deps.pull?.(s);
  if (pull) body.pull = pull;
  // What players should know (B-frames for WebRTC, G.711 on HLS), as /api/streams lists them.
  const warnings = streamWarnings(s);
  if (warnings.length > 0) body.warnings = warnings;
  return { status: 200, body };
}

function rtmpUrl(deps: HttpDeps, s: Stream, host: string): string {
  return deps.publicUrls(s, host).find((u) => u.type === "rtmp")?.url ?? `rtmp://${host}/${s.app}/${s.name}`;
}

const REQUIRED_SERVICES = ["http", "https", "rtmp", "rtsp", "srt"];

export function statusAnswer(deps: HttpDeps): Record<string, unknown> {
  const st = deps.status();
  const out: Record<string, unknown> = {};
  for (const name of REQUIRED_SERVICES) out[name] = { port: 0, run: false, ssl: name === "https" };
  for (const [name, svc] of Object.entries(st.services)) {
    if (name === "admin") continue; // smart_rtmpd's status lists its media services only
    out[name] = { port: svc.port, run: svc.run, ssl: svc.ssl };
  }
  // smart_rtmpd's web admin reads the HTTPS port as http.sport (our https entry has it too).
  const https = out.https as { port: number };
  out.http = { ...(out.http as object), sport: https.port };
  out.start_time = st.startTime.toISOString();
  return out;
}

/** Requests already asked about, so a path two features guard (e.g. /api/* and /api/rec) asks once. */
const asked = new WeakSet<Request>();

/**
 * Middleware: the auth callback (`type=http`, `role`, the request's path and query) before the
 * handler; a denial answers 403. Each request is asked about once, whichever guards it passes.
 */
export function apiAuth(deps: HttpDeps, role: HttpAuthRequest["role"] = "api") {
  return async (c: Context, next: () => Promise<void>) => {
    const denied = await authorizeRequest(deps, c, role);
    if (denied) return denied;
    await next();
  };
}

/** The auth callback for one request (once per request), or undefined without authurl; a 403 on denial. */
export async function authorizeRequest(
  deps: HttpDeps,
  c: Context,
  role: HttpAuthRequest["role"],
): Promise<Response | undefined> {
  if (!deps.authorizeHttp || c.req.method === "OPTIONS" || asked.has(c.req.raw)) return undefined;
  asked.add(c.req.raw);
  const url = new URL(c.req.url);
  try {
    await deps.authorizeHttp({ role, path: url.pathname.slice(1), query: url.search.slice(1) });
  } catch (err) {
    if (err instanceof AuthError) return c.json({ code: 403, msg: err.message }, 403);
    throw err;
  }
  return undefined;
}

/** Liveness: the process answers. Uptime in whole seconds. */
function health(deps: HttpDeps): Record<string, unknown> {
  const start = deps.status().startTime;
  return {
    status: "ok",
    uptime_s: Math.floor((Date.now() - start.getTime()) / 1000),
    start_time: start.toISOString(),
  };
}

export function routes(deps: HttpDeps): Hono {
  const app = new Hono();
  // Registered before the auth middleware, so probes are never sent to the auth callback.
  app.get("/api/health", (c) => c.json(health(deps)));
  app.get("/api/ready", (c) => {
    const r = deps.readiness?.() ?? { ready: true, phase: "running", down: [] };
    return c.json({ ready: r.ready, phase: r.phase, down: r.down }, r.ready ? 200 : 503);
  });
  app.use("/api/*", apiAuth(deps));
  // smart_rtmpd answers /api/stream on its own port exactly as /api/live (unwrapped); the
  // {code,msg,data} envelope belongs to its separate web admin (the admin API).
  for (const path of ["/api/live", "/api/stream"]) {
    app.get(path, (c) => {
      const r = liveAnswer(deps, c.req.raw);
      return c.json(r.msg ? { code: r.status, msg: r.msg } : r.body, r.status);
    });
  }
  app.get("/api/status", (c) => c.json(statusAnswer(deps)));
  // The same families as GET /metrics (whether or not that page is on): smart_rtmpd's counters URL.
  app.get("/api/statistics", (c) => {
    const m = deps.metrics;
    if (!m) return c.json({ code: 404, msg: "statistics are not available: no metrics registry" }, 404);
    return c.json(toStatistics(m.collect(), m.errors()));
  });
  return app;
}
