import assert from "node:assert/strict";
import { defaultConfig } from "../config/mod.ts";
import { shippedConfig } from "../config/_test_util.ts";
import { workerServiceSettings } from "./service.ts";

Deno.test("workers service settings: the relay's idle, timeout and chunk size from the defaults and the shipped config", () => {
  assert.deepEqual(workerServiceSettings(defaultConfig()), {
    idleMs: 10_000,
    timeoutMs: 5000,
    chunkSize: 8192,
  });
  const shipped = shippedConfig();
  assert.deepEqual(workerServiceSettings(shipped), {
    idleMs: shipped.cluster.edgeidle * 1000,
    timeoutMs: shipped.rtmp.fwdtimeout,
    chunkSize: Math.min(shipped.rtmp.chunksize, 65536),
  });
});
