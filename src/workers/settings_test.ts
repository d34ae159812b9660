import assert from "node:assert/strict";
import { type Config, defaultConfig } from "../config/mod.ts";
import { shippedConfig } from "../config/_test_util.ts";
import { deliveryShare, workersSettings } from "./settings.ts";
import { DELIVERY_SHARE } from "../core/mod.ts";

const linux2 = { os: "linux", cores: 2 };
const withWorkers = (n: number): Config => ({ ...defaultConfig(), workers: n });

Deno.test("workers settings: the default and smart_rtmpd's shipped config run one process", () => {
  assert.deepEqual(workersSettings(defaultConfig(), linux2), { count: 1 });
  assert.deepEqual(workersSettings(shippedConfig(), linux2), { count: 1 });
});

Deno.test("workers settings: a count, and 0 = one per core", () => {
  const cases: [number, { os: string; cores: number }, number][] = [
    [2, linux2, 2],
    [4, linux2, 4],
    [0, linux2, 2],
    [0, { os: "linux", cores: 8 }, 8],
    [0, { os: "linux", cores: 0 }, 1],
  ];
  for (const [n, p, count] of cases) assert.equal(workersSettings(withWorkers(n), p).count, count, `${n}`);
});

Deno.test("workers settings: without Linux's SO_REUSEPORT, one worker and the reason", () => {
  for (const os of ["windows", "darwin"]) {
    const s = workersSettings(withWorkers(2), { os, cores: 2 });
    assert.equal(s.count, 1);
    assert.match(
      s.fallback ?? "",
      new RegExp(`<workers> 2 needs Linux's SO_REUSEPORT.*${os} runs one worker`),
    );
  }
  assert.deepEqual(workersSettings(withWorkers(1), { os: "windows", cores: 2 }), { count: 1 });
});

Deno.test("workers settings: the fan-outs' delivery share is divided among the workers", () => {
  assert.equal(deliveryShare(defaultConfig(), linux2), DELIVERY_SHARE);
  assert.equal(deliveryShare(withWorkers(2), linux2), DELIVERY_SHARE / 2);
  assert.equal(deliveryShare(withWorkers(0), { os: "linux", cores: 8 }), DELIVERY_SHARE / 8);
  assert.equal(
    deliveryShare(withWorkers(2), { os: "darwin", cores: 2 }),
    DELIVERY_SHARE,
    "one process there",
  );
});
