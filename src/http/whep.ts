/**
 * WHEP (WebRTC-HTTP Egress Protocol) signalling: `POST /whep/v1?app=<app>&name=<name>` (the form
 * smart_rtmpd's page and OBS-era clients use) and `POST /<app>/<name>/whep`, an SDP offer in, `201
 * Created` with the SDP answer (the server's candidates included) and the session's `Location` out.
 * `PATCH` on the Location adds trickled candidates, `DELETE` ends the session. Admission (apps, the
 * auth callback with `type=webrtc`, `role=player`, a Bearer token as `token=`) is the hub's.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Stream } from "../core/mod.ts";
import type { HttpDeps } from "./deps.ts";
import { admissionStatus } from "./refusals.ts";
import { remoteAddr, requestHost } from "./request.ts";
import { iceServerLinks, type WebrtcSessions } from "../protocols/webrtc/mod.ts";

/** Where a session lives: DELETE and PATCH go here. */
export const WHEP_SESSION_PATH = "/whep/v1/sessions";

/** The WHEP URL of a stream, as /api/live hands it out (type webrtc). */
export const whepPath = (app: string, name: string) =>
  `/whep/v1?app=${encodeURIComponent(app)}&name=${encodeURIComponent(name)}`;

/** Headers a WHIP/WHEP client may read across origins (the session URL, ICE servers). */
export const WEBRTC_EXPOSE_HEADERS = ["Location", "Link", "Accept-Patch", "ETag"];

/** The WebRTC status for each refusal code beyond the hub's (HTTP_REFUSALS). */
export const WEBRTC_REFUSALS: Readonly<Record<string, 400 | 406 | 503>> = {
  bad_offer: 400,
  no_common_codec: 406,
  no_port: 503,
  webrtc_unavailable: 503,
};

/** The client's query plus `token=<Bearer>` (OBS's "Bearer Token" field) for the auth callback. */
export function authQuery(req: Request): string {
  const url = new URL(req.url);
  const params = new URLSearchParams(url.search);
  const auth = req.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (m && !params.has("token")) params.set("token", m[1]);
  return params.toString();
}

/** `Link` headers for the configured ICE servers (on the 201 and on OPTIONS). */
export function iceLinkHeaders(rtc: WebrtcSessions): [string, string][] {
  return iceServerLinks(rtc.settings?.iceServers ?? []).map((v) => ["Link", v]);
}

/** True for the paths whose OPTIONS answer carries the ICE servers. */
/** The media type of a request body, lower case, without parameters. */
export function bodyType(c: Context): string {
  return (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

export function isWebrtcEndpoint(path: string): boolean {
  return path === "/whep/v1" || path === "/whip/v1" || /^\/[^/]+\/[^/]+\/(whep|whip)$/.test(path);
}

const isWhepRequest = (path: string) =>
  path === "/whep/v1" || path.startsWith(`${WHEP_SESSION_PATH}/`) || /^\/[^/]+\/[^/]+\/whep$/.test(path);

export function problem(c: Context, status: 400 | 403 | 404 | 406 | 409 | 415 | 503, msg: string): Response {
  return c.json({ code: status, msg }, status);
}

async function offer(deps: HttpDeps, rtc: WebrtcSessions, c: Context, app: string, name: string) {
  const req = c.req.raw;
  const type = bodyType(c);
  if (type !== "application/sdp") {
    // Read the body anyway: the connection stays usable for the client's next request.
    await req.arrayBuffer().catch(() => {});
    return problem(c, 415, `content type "${type}" is invalid: a WHEP offer must be application/sdp`);
  }
  const sdp = await req.text();
  const remote = remoteAddr(c.env);
  let stream: Stream;
  try {
    stream = await deps.hub.play({
      role: "player",
      protocol: "webrtc",
      app,
      name,
      vhost: requestHost(req),
      query: authQuery(req),
      ext: "",
      remote,
    }, { waitMs: 0 });
  } catch (err) {
    const m = admissionStatus(err);
    if (!m) throw err;
    deps.log.info("whep refused", { key: `${app}/${name}`, remote, status: m.status, why: m.msg });
    return problem(c, m.status, m.msg);
  }
  let unregister = () => {};
  let answer: string, session;
  try {
    session = await rtc.openPlayer(stream, remote);
    const s = session;
    unregister = deps.sessions!.add((r) => s.close(r));
    answer = await session.answer(sdp);
  } catch (err) {
    unregister();
    const status = WEBRTC_REFUSALS[(err as { code?: string })?.code ?? ""];
    if (!status) throw err;
    return problem(c, status, (err as Error).message);
  }
  session.done.then(unregister);
  const headers = new Headers({
    "content-type": "application/sdp",
    location: `${WHEP_SESSION_PATH}/${session.id}`,
    "accept-patch": "application/trickle-ice-sdpfrag",
    "cache-control": "no-store",
  });
  for (const [k, v] of iceLinkHeaders(rtc)) headers.append(k, v);
  return new Response(answer, { status: 201, headers });
}

export function whepRoutes(deps: HttpDeps, rtc: WebrtcSessions): Hono {
  const app = new Hono();
  // With WebRTC off, these paths fall through to the next features (and end in 404).
  app.use("*", async (c, next) => {
    if (rtc.settings === null && isWhepRequest(c.req.path)) return c.notFound();
    await next();
  });
  app.post("/whep/v1", (c) => {
    const app_ = c.req.query("app") ?? "";
    const name = c.req.query("name") ?? "";
    if (app_ === "" || name === "") {
      return problem(c, 400, `WHEP URL ${c.req.path} is invalid: must carry ?app=<app>&name=<name>`);
    }
    return offer(deps, rtc, c, app_, name);
  });
  app.post("/:app/:name/whep", (c) => offer(deps, rtc, c, c.req.param("app"), c.req.param("name")));
  sessionRoutes(app, rtc, WHEP_SESSION_PATH, "WHEP");
  return app;
}

/** DELETE and PATCH on a session resource (WHEP viewers and WHIP publishers alike). */
export function sessionRoutes(app: Hono, rtc: WebrtcSessions, base: string, what: string): void {
  app.delete(`${base}/:id`, (c) => {
    const s = rtc.get(c.req.param("id"));
    if (!s) return problem(c, 404, `${what} session ${c.req.param("id")} does not exist`);
    s.close("DELETE by the client");
    return c.body(null, 200);
  });
  app.patch(`${base}/:id`, async (c) => {
    const s = rtc.get(c.req.param("id"));
    if (!s) return problem(c, 404, `${what} session ${c.req.param("id")} does not exist`);
    const type = bodyType(c);
    if (type !== "application/trickle-ice-sdpfrag") {
      await c.req.raw.arrayBuffer().catch(() => {});
      return problem(c, 415, `content type "${type}" is invalid: must be application/trickle-ice-sdpfrag`);
    }
    try {
      await s.addCandidates(await c.req.text());
    } catch (err) {
      if ((err as { code?: string })?.code !== "bad_offer") throw err;
      return problem(c, 400, (err as Error).message);
    }
    return c.body(null, 204);
  });
}
