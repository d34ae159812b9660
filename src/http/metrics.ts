/**
 * `GET /metrics`: the server's metrics in Prometheus text format 0.0.4, on the HTTP port(s). On by
 * default; `<http><metrics>false</metrics>` answers 404. Behind the auth callback (role api) like
 * /api/*, since the page names every live stream.
 */
import { Hono } from "hono";
import { renderText, TEXT_CONTENT_TYPE } from "../metrics/mod.ts";
import type { HttpDeps } from "./deps.ts";
import { apiAuth } from "./api.ts";

export function routes(deps: HttpDeps): Hono {
  const app = new Hono();
  app.use("/metrics", async (c, next) => {
    if (!deps.options.metricsEnabled || !deps.metrics) {
      return c.json({ code: 404, msg: "metrics are off: <http><metrics> is false" }, 404);
    }
    await next();
  });
  app.use("/metrics", apiAuth(deps));
  app.get("/metrics", (c) =>
    c.body(renderText(deps.metrics!.collect()), 200, {
      "content-type": TEXT_CONTENT_TYPE,
      "cache-control": "no-store",
    }));
  return app;
}
