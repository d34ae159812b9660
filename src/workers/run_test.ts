import assert from "node:assert/strict";
import { defaultConfig } from "../config/mod.ts";
import { nullLogger } from "../log/mod.ts";
import { sharePorts, sharingPorts } from "../net/mod.ts";
import { sharedPortEnv, workerFromEnv } from "./run.ts";

Deno.test("shared ports: a configured 0 becomes one port for every worker; fixed ports stay", () => {
  const c = defaultConfig();
  assert.deepEqual(sharedPortEnv(c, () => 4242), {}, "the defaults are fixed ports");
  const zero = { ...c, rtmp: { ...c.rtmp, port: 0 }, http: { ...c.http, port: 0, ssl: true, sport: 0 } };
  let next = 5000;
  assert.deepEqual(sharedPortEnv(zero, () => next++), {
    ESTUARY_RTMP_PORT: "5000",
    ESTUARY_HTTP_PORT: "5001",
    ESTUARY_HTTP_SPORT: "5002",
  });
  const off = { ...zero, rtmp: { ...zero.rtmp, enable: false } };
  assert.equal(sharedPortEnv(off, () => 1).ESTUARY_RTMP_PORT, undefined, "a service that is off");
});

Deno.test("worker identity from the environment: none, valid (ports shared), invalid", () => {
  assert.equal(workerFromEnv({}, nullLogger), undefined);
  assert.equal(sharingPorts(), false);
  try {
    const secret = crypto.randomUUID();
    const w = workerFromEnv(
      { ESTUARY_WORKER_INDEX: "1", ESTUARY_WORKER_CONTROL: "40000", ESTUARY_WORKER_SECRET: secret },
      nullLogger,
    );
    assert.equal(w?.index, 1);
    assert.equal(w?.secret, secret);
    assert.equal(sharingPorts(), true);
  } finally {
    sharePorts(false);
  }
  assert.throws(
    () => workerFromEnv({ ESTUARY_WORKER_INDEX: "x", ESTUARY_WORKER_CONTROL: "0" }, nullLogger),
    /ESTUARY_WORKER_INDEX=x \/ ESTUARY_WORKER_CONTROL=0 are invalid: must be an index ≥ 0 and a port 1\.\.65535/,
  );
  assert.throws(
    () => workerFromEnv({ ESTUARY_WORKER_INDEX: "0", ESTUARY_WORKER_CONTROL: "40000" }, nullLogger),
    /ESTUARY_WORKER_SECRET is missing or shorter than 16 characters/,
  );
  assert.equal(sharingPorts(), false, "a refused identity shares nothing");
});
