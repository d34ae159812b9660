import assert from "node:assert/strict";
import { defaultConfig } from "../config/mod.ts";
import { MemorySink, nullLogger } from "../log/mod.ts";
import { Store } from "../store/mod.ts";
import { type AdminDeps, adminRoutes } from "./routes.ts";
import { logFiles } from "./logs.ts";
import { describedRoutes } from "./openapi.ts";

function deps(store: Store, edits: Record<string, unknown>[]): AdminDeps {
  return {
    log: nullLogger,
    store: () => store,
    settings: { user: "admin", password: "admin-pass-1", sessionTtlMs: 60_000 },
    status: () => ({}),
    streams: () => ({ status: 200, body: { stream: [] } }),
    kickStream: () => false,
    config: () => defaultConfig(),
    editConfig: (changes) => {
      edits.push(changes);
      return Promise.resolve({ diff: [], changed: ["http"] });
    },
    configBackup: "/etc/estuary/config.xml.bak",
    statistics: () => ({}),
    overview: () => ({}),
    sessions: { list: () => [], kick: () => false },
    files: { vod: "/nonexistent", rec: "/nonexistent", busy: () => undefined },
    logs: logFiles(new MemorySink(10), "/nonexistent"),
    startedAt: new Date(),
  };
}

const from = (hostname: string) => ({ remoteAddr: { transport: "tcp", hostname, port: 1 } });

Deno.test("smart_rtmpd /api/config: loopback clients and admin tokens only; a POST becomes element changes", async () => {
  const store = new Store(":memory:");
  const edits: Record<string, unknown>[] = [];
  try {
    const app = adminRoutes(deps(store, edits));
    const get = (ip: string, token?: string) =>
      app.request("/api/config", { headers: token ? { authorization: `Bearer ${token}` } : {} }, from(ip));
    const local = await get("127.0.0.1");
    assert.equal(local.status, 200);
    assert.equal((await local.json()).rtmp.port, 1935);
    assert.equal((await get("::1")).status, 200);
    const remote = await get("203.0.113.9");
    assert.equal(remote.status, 401);
    assert.match((await remote.json()).msg, /loopback client or an admin token/);

    const login = await app.request("/admin/api/login", {
      method: "POST",
      body: JSON.stringify({ id: "admin", pwd: "admin-pass-1" }),
      headers: { "content-type": "application/json" },
    }, from("203.0.113.9"));
    const token = (await login.json()).data.token;
    assert.equal((await get("203.0.113.9", token)).status, 200);

    const post = await app.request("/api/config", {
      method: "POST",
      body: JSON.stringify({ http: { hls_duration: 3 }, rtmp: { has_webrtc: false }, license: {} }),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    }, from("203.0.113.9"));
    assert.equal(post.status, 200);
    const r = await post.json();
    assert.equal(r.http_port, 8080);
    assert.equal(r.bak_config, "/etc/estuary/config.xml.bak");
    assert.deepEqual(r.ignored, ["license"]);
    assert.deepEqual(edits, [{ "http.hlsduration": 3, "rtmp.haswebrtc": false }]);
  } finally {
    store.close();
  }
});

Deno.test("openapi: every admin route is described and every description is a route; served without a token", async () => {
  const store = new Store(":memory:");
  try {
    const app = adminRoutes(deps(store, []));
    const routes = new Set(
      app.routes.filter((r) => r.method === "GET" || r.method === "POST").map((r) => `${r.method} ${r.path}`),
    );
    const described = new Set(describedRoutes());
    assert.deepEqual([...routes].filter((r) => !described.has(r)), [], "routes without a description");
    assert.deepEqual([...described].filter((r) => !routes.has(r)), [], "descriptions without a route");
    const res = await app.request("/admin/api/openapi.json", {}, from("203.0.113.9"));
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.paths["/admin/api/session"].post.summary.includes("kick"));
  } finally {
    store.close();
  }
});
