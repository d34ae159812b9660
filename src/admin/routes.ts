/**
 * The admin API under /admin/api/, in smart_rtmpd's web-admin envelope: `{code: 0, msg: "ok", data}`.
 * A refused request (bad input, no such thing) is `{code: 1, msg}` with HTTP 200, as smart_rtmpd's
 * admin answers; a missing or bad token is HTTP 401 and a role that may not is 403 (code the same),
 * a client slowed after failed logins gets 429 with Retry-After.
 *
 * Unlike smart_rtmpd's admin, the token is verified (signature, expiry, logout, password change),
 * passwords are scrypt hashes in the store, and every action is logged with the user and address.
 * Roles: `viewer` may read (GET) and change its own password; `admin` may do everything.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Logger } from "../log/mod.ts";
import { ConfigError, type SessionInfo } from "../core/mod.ts";
import { type Role, type Store, UserError, UserStore } from "../store/mod.ts";
import { LoginBackoff } from "./backoff.ts";
import { Tokens } from "./tokens.ts";
import { type LogFiles, logMessages } from "./logs.ts";
import { sysinfo } from "./sysinfo.ts";
import { fileRoutes } from "./file_routes.ts";
import { liveRoutes } from "./live_routes.ts";
import { smartRoutes } from "./smart_routes.ts";
import { openApi } from "./openapi.ts";
import { checkPolicyText, policyDiff } from "./policy_edit.ts";
import type { Policy } from "../config/mod.ts";

export interface AdminSettings {
  /** The first admin's name, created on first start. */
  user: string;
  /** Its password when first created; "" = generate one and log it once. */
  password: string;
  /** How long a login lasts. */
  sessionTtlMs: number;
}

/** What the admin API reads and acts on; the HTTP service supplies it. */
export interface AdminDeps {
  log: Logger;
  /** Opened on first use (a server without admin logins never creates data/). */
  store: () => Store | Promise<Store>;
  settings: AdminSettings;
  /** smart_rtmpd's /api/status object. */
  status: () => unknown;
  /** /api/live's answer for the request (list, or one stream's details), or null when not live. */
  streams: (req: Request) => { status: number; body: unknown; msg?: string };
  /** Ends a live stream (its publisher is disconnected); false when it is not live. */
  kickStream: (app: string, name: string) => boolean;
  /** The effective config as JSON. */
  config: () => unknown;
  /**
   * Plans (apply false) or saves and applies (apply true) element changes to the config file; throws
   * ConfigError naming the element, the value and the rule. Undefined without a config file.
   */
  editConfig?: (
    changes: Record<string, unknown>,
    apply: boolean,
  ) => Promise<{ diff: unknown[]; changed?: string[] }>;
  /**
   * policy.xml: its file and text, and a plan (apply false) or save-and-reload (apply true) of new text;
   * undefined where the server was started without a policy file location.
   */
  policy?: {
    file: string;
    read(): Promise<string>;
    current(): Policy;
    save(text: string): Promise<string[]>;
  };
  /** Where the previous config file is kept on save (`<file>.bak`). */
  configBackup?: string;
  /** Applies the config file again in place (smart_rtmpd's restart); undefined where not possible. */
  reload?: () => Promise<string[]>;
  statistics: () => unknown;
  /** The VOD and recording folders, and why a recording path may not be deleted now. */
  files: { vod: string; rec: string; busy(segs: string[]): string | undefined };
  /** Every connection of every protocol. */
  sessions: { list(): SessionInfo[]; kick(id: string, reason: string): boolean };
  /** The dashboard's poll (overview.ts). */
  overview: () => unknown;
  /**
   * One live stream's recording on demand (any app): start ("started" | "already"; throws the core's
   * NotFoundError / BadNameError) and stop (false: it was not being recorded), and the keys being
   * recorded now. Undefined when the recorder is not running.
   */
  record?: {
    list(): string[];
    start(key: string): Promise<unknown>;
    stop(key: string): Promise<unknown>;
  };
  /** Forwards, static pulls and edge pulls running now, each with its state (the Policy page's table). */
  cluster?: () => { forwards: unknown[]; pulls: unknown[]; edges: unknown[] };
  logs: LogFiles;
  /** The server's version (the OpenAPI description's). */
  version?: string;
  /** Server start time, for sysinfo's run time. */
  startedAt: Date;
}

type Env = { Variables: { user: { name: string; role: Role }; tokenId: string; tokenExp: number } };

/** The admin envelope: `{code: 0, msg: "ok", data}`, or code 1 with what was refused and why. */
export const ok = (c: Context, data: unknown = {}) => c.json({ code: 0, msg: "ok", data });
export const fail = (c: Context, msg: string) => c.json({ code: 1, msg });
const denied = (c: Context, status: 401 | 403 | 429, msg: string) => c.json({ code: status, msg }, status);

export function remoteOf(c: Context): string {
  const env = c.env as { remoteAddr?: Deno.NetAddr } | undefined;
  return env?.remoteAddr?.hostname ?? "unknown";
}

export async function body(c: Context): Promise<Record<string, unknown>> {
  try {
    const b = await c.req.json();
    return b && typeof b === "object" && !Array.isArray(b) ? b as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

const str = (v: unknown) => typeof v === "string" ? v : "";

/** Creates the first admin when there is no user at all (first start). */
export async function bootstrapAdmin(users: UserStore, s: AdminSettings, log: Logger): Promise<void> {
  if (users.count() > 0) return;
  if (s.password !== "") {
    await users.add(s.user, s.password, "admin");
    log.info("admin user created", { user: s.user, password: "from the config (admin.password)" });
    return;
  }
  const generated = crypto.getRandomValues(new Uint8Array(12));
  const password = btoa(String.fromCharCode(...generated)).replace(/[+/=]/g, "x");
  await users.add(s.user, password, "admin");
  // The one time it is shown: only its hash is kept.
  log.warn("admin user created with a generated password; change it after the first login", {
    user: s.user,
    password,
  });
}

export function adminRoutes(deps: AdminDeps): Hono<Env> {
  const app = new Hono<Env>();
  const backoff = new LoginBackoff();
  let state: { users: UserStore; tokens: Tokens } | undefined;
  let ready: Promise<{ users: UserStore; tokens: Tokens }> | undefined;
  const open = () =>
    ready ??= (async () => {
      const store = await deps.store();
      const users = new UserStore(store);
      await bootstrapAdmin(users, deps.settings, deps.log);
      return state = { users, tokens: new Tokens(store, users, deps.settings.sessionTtlMs) };
    })();
  const audit = (c: Context, action: string, fields: Record<string, unknown> = {}) =>
    deps.log.info("admin action", { user: c.get("user")?.name, remote: remoteOf(c), action, ...fields });

  app.get("/admin/api/openapi.json", (c) => c.json(openApi(deps.version ?? "0")));
  smartRoutes(app as unknown as Hono, deps, async () => (await open()).tokens);

  app.post("/admin/api/login", async (c) => {
    const { users, tokens } = await open();
    const addr = remoteOf(c);
    const wait = backoff.waitMs(addr);
    if (wait > 0) {
      c.header("Retry-After", String(Math.ceil(wait / 1000)));
      return denied(c, 429, `too many failed logins from ${addr}: wait ${Math.ceil(wait / 1000)} s`);
    }
    const b = await body(c);
    const name = str(b.id) || deps.settings.user;
    const user = await users.verify(name, str(b.pwd));
    if (!user) {
      backoff.failed(addr);
      deps.log.warn("admin login failed", { user: name, remote: addr });
      return denied(c, 401, "wrong user name or password");
    }
    backoff.succeeded(addr);
    tokens.ttlMs = deps.settings.sessionTtlMs;
    const { token, expires } = tokens.issue(user.name);
    deps.log.info("admin login", { user: user.name, remote: addr });
    return ok(c, { token, expires, user: user.name, role: user.role });
  });

  // Everything else needs a valid token; writes need the admin role.
  app.use("/admin/api/*", async (c, next) => {
    const { tokens } = await open();
    const auth = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) return denied(c, 401, "a token is required: Authorization: Bearer <token> from /admin/api/login");
    const v = tokens.verify(m[1]);
    if ("refused" in v) return denied(c, 401, `token refused: ${v.refused}`);
    c.set("user", { name: v.user.name, role: v.user.role });
    c.set("tokenId", v.id);
    c.set("tokenExp", v.exp);
    const selfService = c.req.path === "/admin/api/logout" || c.req.path === "/admin/api/password";
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && v.user.role !== "admin" && !selfService) {
      return denied(c, 403, `user ${v.user.name} (role ${v.user.role}) may not change anything`);
    }
    await next();
  });

  app.get("/admin/api/whoami", (c) => ok(c, c.get("user")));

  app.post("/admin/api/logout", (c) => {
    state!.tokens.revoke(c.get("tokenId"), c.get("tokenExp"));
    audit(c, "logout");
    return ok(c);
  });

  app.post("/admin/api/password", async (c) => {
    const { users, tokens } = state!;
    const me = c.get("user");
    const b = await body(c);
    const name = str(b.name) || me.name;
    try {
      if (name !== me.name && me.role !== "admin") {
        return denied(c, 403, `user ${me.name} may change only its own password`);
      }
      // Your own password needs the old one, even as admin (a stolen session cannot lock you out).
      if (name === me.name && !(await users.verify(name, str(b.oldpwd)))) {
        return fail(c, "password not match");
      }
      await users.setPassword(name, str(b.newpwd));
      tokens.revokeUser(name);
      audit(c, "password", { target: name });
      return ok(c);
    } catch (err) {
      if (err instanceof UserError) return fail(c, err.message);
      throw err;
    }
  });

  app.get("/admin/api/user", (c) => {
    const { users } = state!;
    if (c.req.query("cmd") === "find") {
      const k = (c.req.query("keyword") ?? "").toLowerCase();
      return ok(c, users.list().filter((u) => u.name.toLowerCase().includes(k)).slice(0, 120));
    }
    return ok(c, users.list());
  });

  app.post("/admin/api/user", async (c) => {
    const { users, tokens } = state!;
    const b = await body(c);
    const cmd = c.req.query("cmd");
    try {
      if (cmd === "add") {
        const u = await users.add(str(b.name), str(b.password), (str(b.role) || "viewer") as Role);
        audit(c, "user add", { target: u.name, role: u.role });
        return ok(c, u);
      }
      if (cmd === "del") {
        const names = Array.isArray(b.user) ? b.user.map(str) : [str(b.name)];
        for (const n of names) users.remove(n);
        audit(c, "user del", { target: names.join(",") });
        return ok(c);
      }
      if (cmd === "modify") {
        const name = str(b.name);
        if (!users.get(name)) return fail(c, `user ${name} refused: no such user`);
        if (b.role !== undefined) users.setRole(name, str(b.role) as Role);
        if (b.password !== undefined) {
          await users.setPassword(name, str(b.password));
          tokens.revokeUser(name);
        }
        audit(c, "user modify", { target: name });
        return ok(c, users.get(name));
      }
      return fail(c, `cmd ${JSON.stringify(cmd ?? "")} refused: must be add, del or modify`);
    } catch (err) {
      if (err instanceof UserError) return fail(c, err.message);
      throw err;
    }
  });

  app.get("/admin/api/service", (c) => ok(c, deps.status()));
  app.post("/admin/api/restart", async (c) => {
    if (!deps.reload) {
      return fail(c, "restart refused: this server was started without a config file to re-read");
    }
    try {
      const changed = await deps.reload();
      audit(c, "restart (reload in place)", { changed: changed.join(",") || "nothing" });
      return ok(c, { changed });
    } catch (err) {
      return fail(c, `restart refused: ${(err as Error).message}`);
    }
  });
  for (const verb of ["start", "stop"]) {
    app.post(`/admin/api/${verb}`, (c) =>
      fail(
        c,
        `${verb} refused: Estuary is one process whose services run while it runs; use restart to apply the config in place`,
      ));
  }

  app.get("/admin/api/config", (c) => ok(c, deps.config()));
  app.post("/admin/api/config", async (c) => {
    if (!deps.editConfig) {
      return fail(
        c,
        "config refused: this server runs on built-in defaults; start it with a config file (--config) to edit one",
      );
    }
    const b = await body(c);
    const changes = b.changes;
    if (!changes || typeof changes !== "object" || Array.isArray(changes)) {
      return fail(
        c,
        'changes refused: must be an object of element paths and values, e.g. {"http.hlsduration": 2}',
      );
    }
    try {
      const r = await deps.editConfig(changes as Record<string, unknown>, b.apply === true);
      if (b.apply === true) audit(c, "config saved", { elements: Object.keys(changes).join(",") });
      return ok(c, r);
    } catch (err) {
      if (err instanceof ConfigError) return fail(c, err.message);
      throw err;
    }
  });

  app.get("/admin/api/policy", async (c) => {
    if (!deps.policy) return fail(c, "policy refused: this server has no policy.xml location");
    return ok(c, { file: deps.policy.file, text: await deps.policy.read(), policy: deps.policy.current() });
  });
  app.post("/admin/api/policy", async (c) => {
    if (!deps.policy) return fail(c, "policy refused: this server has no policy.xml location");
    const b = await body(c);
    if (typeof b.text !== "string") return fail(c, "text refused: must be the whole policy.xml as a string");
    try {
      const next = checkPolicyText(b.text);
      const diff = policyDiff(deps.policy.current(), next);
      if (b.apply !== true) return ok(c, { diff });
      const changed = await deps.policy.save(b.text);
      audit(c, "policy saved", { lines: diff.length });
      return ok(c, { diff, changed });
    } catch (err) {
      if (err instanceof ConfigError) return fail(c, err.message);
      throw err;
    }
  });

  app.get("/admin/api/session", (c) => {
    const proto = c.req.query("protocol");
    const stream = c.req.query("stream");
    const now = Date.now();
    const list = deps.sessions.list()
      .filter((s) => (!proto || s.protocol === proto) && (!stream || s.stream === stream))
      .map((s) => ({ ...s, duration: Math.max(0, Math.round((now - s.startedAt) / 1000)) }));
    return ok(c, list);
  });
  app.post("/admin/api/session", async (c) => {
    if (c.req.query("cmd") !== "kick") return fail(c, "cmd refused: must be kick");
    const id = str((await body(c)).id);
    if (!deps.sessions.kick(id, `kicked by ${c.get("user").name}`)) {
      return fail(c, `session ${id} refused: no such session`);
    }
    audit(c, "kick session", { session: id });
    return ok(c);
  });

  fileRoutes(app as unknown as Hono, deps.files, (c, fields) => audit(c, "delete", fields));

  app.get("/admin/api/logmsg", (c) => {
    const line = Number(c.req.query("line") ?? 60);
    const level = c.req.query("level");
    try {
      return ok(c, logMessages(deps.logs, line, level));
    } catch (err) {
      return fail(c, (err as Error).message);
    }
  });
  app.get("/admin/api/logfile", async (c) => {
    const name = c.req.query("name");
    if (name === undefined) return ok(c, await deps.logs.files());
    const file = await deps.logs.open(name);
    if (!file) {
      return fail(c, `log file ${JSON.stringify(name)} refused: not one of /admin/api/logfile's names`);
    }
    audit(c, "log download", { file: name });
    return new Response(file.readable, {
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "content-disposition": `attachment; filename="${name}"`,
      },
    });
  });

  app.get("/admin/api/sysinfo", async (c) => ok(c, await sysinfo(deps.startedAt)));
  app.get("/admin/api/metrics", (c) => ok(c, deps.statistics()));
  app.get("/admin/api/overview", (c) => ok(c, deps.overview()));
  liveRoutes(app as unknown as Hono, deps, audit);
  return app;
}
