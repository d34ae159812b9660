/**
 * smart_rtmpd's own /api/config and /api/policy on the main port, in its JSON shapes and unwrapped, as
 * smart_rtmpd answers them: a loopback client (as smart_rtmpd allowed) or an admin API token (any
 * role may read, admin may write). A POST is saved and applied like the admin API's.
 */
import type { Context, Hono } from "hono";
import { ConfigError } from "../core/mod.ts";
import type { AdminDeps } from "./routes.ts";
import { body, remoteOf } from "./routes.ts";
import { fromSmartConfig, toSmartConfig } from "./smart_config.ts";
import { checkPolicyText, fromSmartPolicy, toSmartPolicy } from "./policy_edit.ts";
import type { Tokens } from "./tokens.ts";

export function smartRoutes(app: Hono, deps: AdminDeps, tokensOf: () => Promise<Tokens>): void {
  // smart_rtmpd's own /api/config on the main port: a loopback client (as smart_rtmpd allowed) or an
  // admin token (any role may read, admin may write). Unwrapped, as smart_rtmpd answers it.
  const isLoopback = (ip: string) => /^127\./.test(ip) || ip === "::1" || /^::ffff:127\./.test(ip);
  const trusted = async (c: Context, write: boolean): Promise<Response | null> => {
    if (isLoopback(remoteOf(c))) return null;
    const tokens = await tokensOf();
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    const v = m ? tokens.verify(m[1]) : { refused: "no token" };
    if ("refused" in v) {
      return c.json(
        { code: 401, msg: `/api/config needs a loopback client or an admin token: ${v.refused}` },
        401,
      );
    }
    if (write && v.user.role !== "admin") {
      return c.json({ code: 403, msg: `user ${v.user.name} may not change the config` }, 403);
    }
    return null;
  };
  app.get("/api/config", async (c) => {
    const refused = await trusted(c, false);
    if (refused) return refused;
    return c.json(toSmartConfig(deps.config() as Parameters<typeof toSmartConfig>[0]));
  });
  app.post("/api/config", async (c) => {
    const refused = await trusted(c, true);
    if (refused) return refused;
    if (!deps.editConfig) {
      return c.json({
        code: 400,
        msg: "config refused: this server runs on built-in defaults (no config file)",
      }, 400);
    }
    const { changes, ignored } = fromSmartConfig(await body(c));
    try {
      const r = await deps.editConfig(changes, true);
      deps.log.info("config saved through /api/config", {
        remote: remoteOf(c),
        elements: Object.keys(changes).join(","),
        ignored: ignored.join(",") || undefined,
      });
      const http = (deps.config() as { http: { port: number } }).http.port;
      return c.json({
        http_port: http,
        bak_config: deps.configBackup ?? "",
        changed: r.changed ?? [],
        ignored,
      });
    } catch (err) {
      if (err instanceof ConfigError) return c.json({ code: 400, msg: err.message }, 400);
      throw err;
    }
  });

  app.get("/api/policy", async (c) => {
    const refused = await trusted(c, false);
    if (refused) return refused;
    if (!deps.policy) return c.json({ vhosts: [], urls: [] });
    return c.json(toSmartPolicy(deps.policy.current()));
  });
  app.post("/api/policy", async (c) => {
    const refused = await trusted(c, true);
    if (refused) return refused;
    if (!deps.policy) {
      return c.json({ code: 400, msg: "policy refused: this server has no policy.xml location" }, 400);
    }
    const text = fromSmartPolicy(await body(c), deps.policy.current());
    try {
      checkPolicyText(text);
      const changed = await deps.policy.save(text);
      deps.log.info("policy saved through /api/policy", { remote: remoteOf(c) });
      return c.json({ changed });
    } catch (err) {
      if (err instanceof ConfigError) return c.json({ code: 400, msg: err.message }, 400);
      throw err;
    }
  });
}
