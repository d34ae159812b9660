import assert from "node:assert/strict";
import { Hono } from "hono";
import { createLogger, MemorySink } from "../log/mod.ts";
import type { ServiceContext } from "../service.ts";
import type { HttpDeps } from "./deps.ts";
import { adminFeature } from "./admin_feature.ts";

type Mount = typeof import("./admin_mount.ts");

function context(sink: MemorySink): ServiceContext {
  return {
    log: createLogger({ sinks: [sink] }),
    store: () => {
      throw new Error("not opened in this test");
    },
    recentLog: sink,
    config: () => ({}),
  } as unknown as ServiceContext;
}

/** The feature mounted in front of a catch-all, as the HTTP app mounts features before static files. */
function appWith(feature: (deps: HttpDeps) => Hono): Hono {
  const app = new Hono();
  app.route("/", feature({} as HttpDeps));
  app.all("*", (c) => c.text("next feature", 404));
  return app;
}

const settings = { user: "admin", password: "", sessionTtlMs: 60_000 };

Deno.test("admin feature: loads on the first admin request, serves it, and lets other paths through", async () => {
  const sink = new MemorySink(100);
  let loads = 0;
  const load = () => {
    loads++;
    return Promise.resolve({
      mountAdmin: () => new Hono().get("/admin/api/whoami", (c) => c.json({ user: "x" })),
    } as unknown as Mount);
  };
  const app = appWith(adminFeature(context(sink), settings, load)!);
  assert.equal((await app.request("/api/status")).status, 404);
  assert.equal(loads, 0, "a non-admin path loads nothing");
  const res = await app.request("/admin/api/whoami");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { user: "x" });
  const other = await app.request("/admin/api/nothing-here");
  assert.equal(await other.text(), "next feature", "an admin path the router lacks falls through");
  assert.equal(loads, 1);
  assert.ok(sink.lines.some((l) => l.includes("admin API loaded")));
});

Deno.test("admin feature: a failed load answers 503 with the reason, logs it, and retries next time", async () => {
  const sink = new MemorySink(100);
  let loads = 0;
  const load = () => {
    loads++;
    if (loads === 1) return Promise.reject(new Error("Cannot load node:sqlite"));
    return Promise.resolve({
      mountAdmin: () => new Hono().get("/api/config", (c) => c.json({ ok: true })),
    } as unknown as Mount);
  };
  const app = appWith(adminFeature(context(sink), settings, load)!);
  const res = await app.request("/api/config");
  assert.equal(res.status, 503);
  assert.match((await res.json()).msg, /admin API is unavailable.*Cannot load node:sqlite/);
  assert.equal(sink.lines.filter((l) => l.includes("admin API failed to load")).length, 1);
  assert.equal((await app.request("/api/config")).status, 200);
  assert.equal(loads, 2);
});
