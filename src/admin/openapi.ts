/**
 * The admin API described as OpenAPI 3.1 (served at /admin/api/openapi.json), for clients and
 * generated SDKs. Every route of routes.ts has an entry here (a test checks both ways).
 */

type Op = {
  summary: string;
  role: "none" | "any" | "admin" | "loopback or token";
  query?: Record<string, string>;
  body?: Record<string, string>;
};

const ok = (description: string) => ({
  "200": {
    description,
    content: { "application/json": { schema: { $ref: "#/components/schemas/Envelope" } } },
  },
  "401": { description: "missing, bad, expired or logged-out token" },
  "403": { description: "the role may not" },
});

const OPS: Record<string, Record<"get" | "post", Op | undefined>> = {
  "/admin/api/login": {
    get: undefined,
    post: {
      summary: "Log in; data: {token, expires, user, role}",
      role: "none",
      body: { id: "user name", pwd: "password" },
    },
  },
  "/admin/api/logout": { get: undefined, post: { summary: "End this token", role: "any" } },
  "/admin/api/whoami": { get: { summary: "The token's user and role", role: "any" }, post: undefined },
  "/admin/api/password": {
    get: undefined,
    post: {
      summary: "Change a password (your own needs oldpwd); ends the user's other sessions",
      role: "any",
      body: { name: "user (default: yourself)", oldpwd: "current password", newpwd: "8..256 characters" },
    },
  },
  "/admin/api/user": {
    get: {
      summary: "Users; cmd=find&keyword= filters",
      role: "any",
      query: { cmd: "find", keyword: "substring" },
    },
    post: {
      summary: "cmd=add {name, password, role} | del {user:[names]} | modify {name, role?, password?}",
      role: "admin",
      query: { cmd: "add | del | modify" },
      body: { name: "user", password: "password", role: "admin | viewer" },
    },
  },
  "/admin/api/service": { get: { summary: "Listeners: /api/status's object", role: "any" }, post: undefined },
  "/admin/api/restart": {
    get: undefined,
    post: { summary: "Read the config file again and apply it live", role: "admin" },
  },
  "/admin/api/start": { get: undefined, post: { summary: "Refused (code 1): use restart", role: "admin" } },
  "/admin/api/stop": { get: undefined, post: { summary: "Refused (code 1): use restart", role: "admin" } },
  "/admin/api/config": {
    get: { summary: "The effective config (secrets masked)", role: "any" },
    post: {
      summary: "Plan (apply false) or save and apply element changes; data: {diff, changed?}",
      role: "admin",
      body: { changes: '{"http.hlsduration": 2, …}', apply: "boolean" },
    },
  },
  "/admin/api/policy": {
    get: { summary: "policy.xml: {file, text, policy}", role: "any" },
    post: {
      summary: "Plan (apply false) or save and apply new policy.xml text; data: {diff, changed?}",
      role: "admin",
      body: { text: "the whole policy.xml", apply: "boolean" },
    },
  },
  "/admin/api/cluster": {
    get: {
      summary: "What policy.xml and the edge are doing now: {forwards, pulls, edges} with each one's state",
      role: "any",
    },
    post: undefined,
  },
  "/admin/api/record": {
    get: { summary: "The streams being recorded now: {recording: [app/name, …]}", role: "any" },
    post: {
      summary:
        "cmd=start|stop&app=&name=: record a live stream of any app now, until stop or its end; stop closes its playlist",
      role: "admin",
      query: { cmd: "start|stop", app: "app", name: "stream" },
    },
  },
  "/admin/api/stream": {
    get: { summary: "/api/live's answer", role: "any", query: { app: "app", name: "stream" } },
    post: {
      summary: "cmd=kick {app, name}: end a stream, disconnect its publisher",
      role: "admin",
      query: { cmd: "kick" },
    },
  },
  "/admin/api/session": {
    get: {
      summary: "Every connection of every protocol",
      role: "any",
      query: { protocol: "filter", stream: "app/name" },
    },
    post: { summary: "cmd=kick {id}: end one connection", role: "admin", query: { cmd: "kick" } },
  },
  "/admin/api/files": {
    get: {
      summary: "List a VOD or recordings folder",
      role: "any",
      query: { root: "vod | rec", path: "a/b" },
    },
    post: { summary: "cmd=del {root, path}: delete a file or folder", role: "admin", query: { cmd: "del" } },
  },
  "/admin/api/logmsg": {
    get: {
      summary: "The last N log lines, newest first",
      role: "any",
      query: { line: "1..2000", level: "debug|info|warn|error" },
    },
    post: undefined,
  },
  "/admin/api/logfile": {
    get: {
      summary: "Daily log files; with name, one as a download",
      role: "any",
      query: { name: "estuary-YYYY-MM-DD.log" },
    },
    post: undefined,
  },
  "/admin/api/sysinfo": {
    get: { summary: "OS, CPU, memory, network, disks (smart_rtmpd's shape)", role: "any" },
    post: undefined,
  },
  "/admin/api/metrics": { get: { summary: "/api/statistics's object", role: "any" }, post: undefined },
  "/admin/api/overview": {
    get: { summary: "The dashboard's poll: totals and what is open now", role: "any" },
    post: undefined,
  },
  "/admin/api/openapi.json": { get: { summary: "This description", role: "none" }, post: undefined },
  "/api/policy": {
    get: { summary: "smart_rtmpd's policy JSON {vhosts, urls} (unwrapped)", role: "loopback or token" },
    post: {
      summary: "Save smart_rtmpd's policy JSON (pulls kept); answers {changed}",
      role: "loopback or token",
    },
  },
  "/api/config": {
    get: { summary: "smart_rtmpd's config JSON (unwrapped)", role: "loopback or token" },
    post: {
      summary: "Save smart_rtmpd's config JSON; answers {http_port, bak_config, changed, ignored}",
      role: "loopback or token",
    },
  },
};

export function openApi(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, verbs] of Object.entries(OPS)) {
    paths[path] = {};
    for (const [verb, op] of Object.entries(verbs)) {
      if (!op) continue;
      paths[path][verb] = {
        summary: op.summary,
        description: `Role: ${op.role}.`,
        security: op.role === "none" ? [] : [{ bearer: [] }],
        parameters: Object.entries(op.query ?? {}).map(([name, description]) => ({
          name,
          in: "query",
          required: false,
          description,
          schema: { type: "string" },
        })),
        ...(op.body
          ? {
            requestBody: {
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: Object.fromEntries(
                      Object.entries(op.body).map(([k, d]) => [k, { description: d }]),
                    ),
                  },
                },
              },
            },
          }
          : {}),
        responses: ok(op.summary),
      };
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: "Estuary admin API", version },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Envelope: {
          type: "object",
          properties: { code: { type: "integer", description: "0 = ok" }, msg: { type: "string" }, data: {} },
          required: ["code", "msg"],
        },
      },
    },
    paths,
  };
}

/** Every method + path pair described (for the test that keeps routes and description together). */
export function describedRoutes(): string[] {
  return Object.entries(OPS).flatMap(([path, verbs]) =>
    Object.entries(verbs).filter(([, op]) => op).map(([verb]) => `${verb.toUpperCase()} ${path}`)
  );
}
