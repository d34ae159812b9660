import assert from "node:assert/strict";
import { Hub } from "../core/hub.ts";
import { AuthError } from "../core/errors.ts";
import { nullLogger } from "../log/mod.ts";
import type { Readiness } from "../service.ts";
import { defaultHttpOptions, type HttpDeps } from "./deps.ts";
import { routes } from "./api.ts";

function setup(readiness: Readiness | undefined, startTime = new Date(Date.now() - 90_500)) {
  const hub = new Hub({
    liveApps: ["live"],
    recApps: [],
    gop: { enabled: false, maxFrames: 0, maxBytes: 0 },
    maxIdleMs: 0,
  });
  const asked: string[] = [];
  const deps: HttpDeps = {
    hub,
    log: nullLogger,
    options: defaultHttpOptions(),
    status: () => ({ services: {}, startTime }),
    readiness: readiness && (() => readiness),
    publicUrls: () => [],
    // A callback that refuses everything: the probes must not ask it.
    authorizeHttp: (r) => {
      asked.push(r.path);
      return Promise.reject(new AuthError("denied"));
    },
  };
  return { app: routes(deps), asked, close: () => hub.close() };
}

Deno.test("/api/health: 200 with the uptime, never asks the auth callback", async () => {
  const t = setup(undefined);
  try {
    const res = await t.app.request("/api/health");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, "ok");
    assert.equal(body.uptime_s, 90);
    assert.match(body.start_time, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(t.asked, []);
    // The other API calls still go through it.
    const status = await t.app.request("/api/status");
    assert.equal(status.status, 403);
    await status.body?.cancel();
    assert.deepEqual(t.asked, ["api/status"]);
  } finally {
    t.close();
  }
});

Deno.test("/api/ready: 200 when running with every listener up, 503 with what is not", async () => {
  const cases: [Readiness, number][] = [
    [{ ready: true, phase: "running", down: [] }, 200],
    [{ ready: false, phase: "starting", down: ["rtmp", "http"] }, 503],
    [{ ready: false, phase: "running", down: ["srt"] }, 503],
    [{ ready: false, phase: "stopping", down: [] }, 503],
  ];
  for (const [r, want] of cases) {
    const t = setup(r);
    try {
      const res = await t.app.request("/api/ready");
      assert.equal(res.status, want, JSON.stringify(r));
      assert.deepEqual(await res.json(), r);
      assert.deepEqual(t.asked, []);
    } finally {
      t.close();
    }
  }
});
