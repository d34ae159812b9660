/**
 * /api/health and /api/ready on the real server: not ready while starting (every enabled listener
 * listed), ready once everything listens, 503 naming a listener that went down, and not ready
 * once stopping. Probes answer without the auth callback.
 */
import assert from "node:assert/strict";
import { defaultConfig } from "../src/config/mod.ts";
import { MemorySink } from "../src/log/mod.ts";
import { createServer } from "../src/server.ts";
import { getText, testConfig } from "./support/mod.ts";

async function getJson(url: string) {
  const r = await getText(url);
  return { status: r.status, body: JSON.parse(r.text) };
}

Deno.test("probes: /api/ready follows start, a listener going down, and stop; /api/health is 200", async () => {
  const root = await Deno.makeTempDir({ prefix: "estuary-test-" });
  const ip = "127.0.0.1";
  // An auth callback nobody answers: probes must not depend on it.
  const config = testConfig(defaultConfig(), {
    rtmp: { ip, port: 0 },
    http: { ip, port: 0 },
    rtsp: { ip, port: 0 },
    srt: { ip, port: 0 },
    log: { file: false },
    authurl: { host: "http://127.0.0.1:9", router: "/auth" },
  });
  const server = createServer({ config, root, configFile: null, sinks: [new MemorySink()] });
  try {
    assert.deepEqual(server.readiness(), {
      ready: false,
      phase: "starting",
      down: ["rtmp", "rtsp", "http", "srt"],
    });
    await server.start();
    const base = `http://127.0.0.1:${server.port("http")}`;
    const ready = await getJson(`${base}/api/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { ready: true, phase: "running", down: [] });
    const health = await getJson(`${base}/api/health`);
    assert.equal(health.status, 200);
    assert.equal(health.body.status, "ok");
    assert.ok(typeof health.body.uptime_s === "number" && health.body.uptime_s >= 0);

    // A listener that is gone (here: the RTMP service closed under the server's feet).
    await server.service("rtmp")!.close();
    const down = await getJson(`${base}/api/ready`);
    assert.equal(down.status, 503);
    assert.deepEqual(down.body, { ready: false, phase: "running", down: ["rtmp"] });
  } finally {
    await server.stop();
    assert.equal(server.readiness().phase, "stopping");
    assert.equal(server.readiness().ready, false);
    await Deno.remove(root, { recursive: true });
  }
});
