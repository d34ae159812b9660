/**
 * The admin's routes over what runs now: live streams (details, kick), recordings on demand, and the
 * forwards and pulls of the cluster.
 */
import type { Context, Hono } from "hono";
import { EstuaryError } from "../core/mod.ts";
import { type AdminDeps, body, fail, ok } from "./routes.ts";

const str = (v: unknown) => typeof v === "string" ? v : "";

export function liveRoutes(
  app: Hono,
  deps: Pick<AdminDeps, "streams" | "kickStream" | "record" | "cluster">,
  audit: (c: Context, action: string, fields: Record<string, unknown>) => void,
): void {
  app.get("/admin/api/stream", (c) => {
    const r = deps.streams(c.req.raw);
    return r.msg ? fail(c, r.msg) : ok(c, r.body);
  });
  app.post("/admin/api/stream", async (c) => {
    const b = await body(c);
    if (c.req.query("cmd") !== "kick") return fail(c, "cmd refused: must be kick");
    // In the query too (the portal sends both): with <workers> that routes it to the publisher's worker.
    const [app_, name] = [str(b.app ?? c.req.query("app")), str(b.name ?? c.req.query("name"))];
    if (!deps.kickStream(app_, name)) return fail(c, `stream ${app_}/${name} is not live`);
    audit(c, "kick publisher", { stream: `${app_}/${name}` });
    return ok(c);
  });

  // Recording on demand: ?cmd=start|stop&app=&name= in the query (not the body), so that with <workers>
  // the request goes to the worker that publishes the stream.
  app.get("/admin/api/record", (c) => ok(c, { recording: deps.record?.list() ?? [] }));
  app.post("/admin/api/record", async (c) => {
    const cmd = c.req.query("cmd"), key = `${c.req.query("app") ?? ""}/${c.req.query("name") ?? ""}`;
    if (cmd !== "start" && cmd !== "stop") {
      return fail(c, `cmd ${JSON.stringify(cmd ?? "")} refused: must be start or stop`);
    }
    if (!deps.record) return fail(c, "recording is not available: the recorder is not running");
    try {
      const result = cmd === "start" ? await deps.record.start(key) : await deps.record.stop(key);
      if (cmd === "stop" && result === false) return fail(c, `stream ${key} is not being recorded`);
      audit(c, `recording ${cmd}`, { stream: key });
      return ok(c, { stream: key, result });
    } catch (err) {
      if (err instanceof EstuaryError) return fail(c, err.message);
      throw err;
    }
  });

  app.get("/admin/api/cluster", (c) => ok(c, deps.cluster?.() ?? { forwards: [], pulls: [], edges: [] }));
}
