/**
 * The admin API on the HTTP listeners, loaded on its first request: its routes (src/admin), the
 * store (node:sqlite) and the rest of admin_mount.ts are imported then, not at start. Until then
 * this router only knows the admin's paths: /admin/api/*, and smart_rtmpd's /api/config and /api/policy.
 * A failure to load is logged and answers 503; the next admin request tries again.
 */
import { Hono } from "hono";
import type { AdminSettings } from "../admin/mod.ts";
import { EstuaryError, lazy } from "../core/mod.ts";
import type { ServiceContext } from "../service.ts";
import type { HttpDeps } from "./deps.ts";

/** The paths the admin API answers; everything else passes to the next feature untouched. */
export const ADMIN_PATHS = ["/admin/api", "/admin/api/*", "/api/config", "/api/policy"] as const;

/** Set by the loaded router's not-found handler: the request falls through to the next feature. */
const UNMATCHED = "x-estuary-admin-unmatched";

/** The admin API could not be loaded (HTTP 503). */
export class AdminUnavailableError extends EstuaryError {
  constructor(cause: unknown) {
    super(
      "admin_unavailable",
      `the admin API is unavailable: its modules failed to load (${(cause as Error)?.message ?? cause})`,
      { cause },
    );
  }
}

/** The admin routes, or undefined when the context has no store (a server built by hand in tests). */
export function adminFeature(
  ctx: ServiceContext,
  settings: AdminSettings,
  load: () => Promise<typeof import("./admin_mount.ts")> = () => import("./admin_mount.ts"),
) {
  const { store, recentLog, config } = ctx;
  if (!store || !recentLog || !config) return undefined;
  return (deps: HttpDeps): Hono => {
    const mount = lazy(async () => {
      const router = (await load()).mountAdmin(ctx, settings, deps);
      router.notFound((c) => c.body(null, 404, { [UNMATCHED]: "1" }));
      return router;
    }, {
      loaded: (ms) => ctx.log.info("admin API loaded", { ms: Math.round(ms) }),
      failed(err) {
        ctx.log.error("admin API failed to load", { error: err });
        return new AdminUnavailableError(err);
      },
    });
    const app = new Hono();
    for (const path of ADMIN_PATHS) {
      app.all(path, async (c, next) => {
        let router: Hono;
        try {
          router = await mount();
        } catch (err) {
          return c.json({ code: 503, msg: (err as Error).message }, 503);
        }
        const res = await router.fetch(c.req.raw, c.env);
        if (res.headers.get(UNMATCHED)) return await next();
        return res;
      });
    }
    return app;
  };
}
