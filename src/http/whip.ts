/**
 * WHIP (WebRTC-HTTP Ingestion Protocol, RFC 9725) signalling: `POST /whip/v1?app=<app>&name=<name>`
 * (smart_rtmpd's form, which OBS 30+ uses) and `POST /<app>/<name>/whip`, the publisher's SDP offer in,
 * `201 Created` with the answer and the session's `Location` out; PATCH adds trickled candidates,
 * DELETE ends the publish. Admission is the hub's: the auth callback sees `type=webrtc`,
 * `role=publisher` and OBS's Bearer token as `token=<value>`; a busy key is 409.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Stream } from "../core/mod.ts";
import type { HttpDeps } from "./deps.ts";
import { admissionStatus } from "./refusals.ts";
import { remoteAddr, requestHost } from "./request.ts";
import type { WebrtcSessions } from "../protocols/webrtc/mod.ts";
import { authQuery, bodyType, iceLinkHeaders, problem, sessionRoutes, WEBRTC_REFUSALS } from "./whep.ts";

export const WHIP_SESSION_PATH = "/whip/v1/sessions";

const isWhipRequest = (path: string) =>
  path === "/whip/v1" || path.startsWith(`${WHIP_SESSION_PATH}/`) || /^\/[^/]+\/[^/]+\/whip$/.test(path);

async function publish(deps: HttpDeps, rtc: WebrtcSessions, c: Context, app: string, name: string) {
  const req = c.req.raw;
  const type = bodyType(c);
  if (type !== "application/sdp") {
    // Read the body anyway: the connection stays usable for the client's next request.
    await req.arrayBuffer().catch(() => {});
    return problem(c, 415, `content type "${type}" is invalid: a WHIP offer must be application/sdp`);
  }
  const sdp = await req.text();
  const remote = remoteAddr(c.env);
  let stream: Stream;
  try {
    stream = await deps.hub.publish({
      role: "publisher",
      protocol: "webrtc",
      app,
      name,
      vhost: requestHost(req),
      query: authQuery(req),
      remote,
    });
  } catch (err) {
    const m = admissionStatus(err);
    if (!m) throw err;
    deps.log.info("whip refused", { key: `${app}/${name}`, remote, status: m.status, why: m.msg });
    return problem(c, m.status, m.msg);
  }
  let unregister = () => {};
  let answer: string, id: string;
  try {
    const session = await rtc.openPublisher(stream, remote);
    id = session.id;
    unregister = deps.sessions!.add((r) => session.close(r));
    session.done.then(() => unregister());
    answer = await session.answer(sdp);
  } catch (err) {
    unregister();
    stream.end(`WHIP answer failed: ${(err as Error)?.message ?? err}`);
    const status = WEBRTC_REFUSALS[(err as { code?: string })?.code ?? ""];
    if (!status) throw err;
    return problem(c, status, (err as Error).message);
  }
  const headers = new Headers({
    "content-type": "application/sdp",
    location: `${WHIP_SESSION_PATH}/${id}`,
    "accept-patch": "application/trickle-ice-sdpfrag",
    "cache-control": "no-store",
  });
  for (const [k, v] of iceLinkHeaders(rtc)) headers.append(k, v);
  return new Response(answer, { status: 201, headers });
}

export function whipRoutes(deps: HttpDeps, rtc: WebrtcSessions): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    if (rtc.settings === null && isWhipRequest(c.req.path)) return c.notFound();
    await next();
  });
  app.post("/whip/v1", (c) => {
    const a = c.req.query("app") ?? "";
    const name = c.req.query("name") ?? "";
    if (a === "" || name === "") {
      return problem(c, 400, `WHIP URL ${c.req.path} is invalid: must carry ?app=<app>&name=<name>`);
    }
    return publish(deps, rtc, c, a, name);
  });
  app.post("/:app/:name/whip", (c) => publish(deps, rtc, c, c.req.param("app"), c.req.param("name")));
  sessionRoutes(app, rtc, WHIP_SESSION_PATH, "WHIP");
  return app;
}
