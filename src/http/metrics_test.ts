import assert from "node:assert/strict";
import { Hub } from "../core/hub.ts";
import { AuthError } from "../core/errors.ts";
import { nullLogger } from "../log/mod.ts";
import { Metrics } from "../metrics/mod.ts";
import { defaultHttpOptions, type HttpDeps } from "./deps.ts";
import { routes } from "./metrics.ts";

function deps(over: Partial<HttpDeps> = {}): HttpDeps {
  const metrics = new Metrics();
  metrics.register(
    "t",
    () => [{ name: "estuary_streams", help: "Live streams.", type: "gauge", samples: [{ value: 3 }] }],
  );
  return {
    hub: new Hub({
      liveApps: ["live"],
      recApps: [],
      gop: { enabled: false, maxFrames: 1, maxBytes: 1 },
      maxIdleMs: 0,
    }),
    log: nullLogger,
    options: defaultHttpOptions(),
    status: () => ({ services: {}, startTime: new Date() }),
    publicUrls: () => [],
    metrics,
    ...over,
  };
}

const get = (d: HttpDeps, path = "/metrics") => routes(d).fetch(new Request(`http://h${path}`));

Deno.test("GET /metrics renders the registry as Prometheus text", async () => {
  const res = await get(deps());
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(
    await res.text(),
    "# HELP estuary_streams Live streams.\n# TYPE estuary_streams gauge\nestuary_streams 3\n",
  );
});

Deno.test("GET /metrics is 404 when turned off (or without a registry), whatever the options say later", async () => {
  const d = deps({ options: defaultHttpOptions({ metricsEnabled: false }) });
  let res = await get(d);
  assert.equal(res.status, 404);
  assert.match((await res.json()).msg, /<http><metrics> is false/);
  d.options.metricsEnabled = true; // options are read per request (a reload edits them in place)
  res = await get(d);
  assert.equal(res.status, 200);
  await res.body?.cancel();
  res = await get(deps({ metrics: undefined }));
  assert.equal(res.status, 404);
  await res.body?.cancel();
});

Deno.test("GET /metrics asks the auth callback (role api) like /api/*", async () => {
  const asked: string[] = [];
  const d = deps({
    authorizeHttp: (req) => {
      asked.push(`${req.role} ${req.path} ${req.query}`);
      return req.query === "token=ok" ? Promise.resolve() : Promise.reject(new AuthError("bad token"));
    },
  });
  let res = await get(d, "/metrics?token=no");
  assert.equal(res.status, 403);
  await res.body?.cancel();
  res = await get(d, "/metrics?token=ok");
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.deepEqual(asked, ["api metrics token=no", "api metrics token=ok"]);
});
