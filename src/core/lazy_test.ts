import assert from "node:assert/strict";
import { lazy } from "./lazy.ts";

Deno.test("lazy imports once and shares the result", async () => {
  let calls = 0;
  const loadedMs: number[] = [];
  const get = lazy(() => {
    calls++;
    return Promise.resolve({ value: 42 });
  }, { loaded: (ms) => loadedMs.push(ms), failed: (err) => err as Error });
  assert.equal(calls, 0, "nothing loads before the first use");
  const [a, b] = await Promise.all([get(), get()]);
  assert.equal(a, b);
  assert.equal(a.value, 42);
  assert.equal(await get(), a);
  assert.equal(calls, 1);
  assert.equal(loadedMs.length, 1);
  assert.ok(loadedMs[0] >= 0);
});

Deno.test("lazy reports a failed import, rejects with the hook's error, and retries on the next call", async () => {
  let calls = 0;
  const failures: unknown[] = [];
  const get = lazy(() => {
    calls++;
    if (calls === 1) return Promise.reject(new Error("Cannot find module werift"));
    return Promise.resolve("ok");
  }, {
    failed(err) {
      failures.push(err);
      return new Error(`feature unavailable: ${(err as Error).message}`);
    },
  });
  await assert.rejects(get(), /feature unavailable: Cannot find module werift/);
  assert.equal(failures.length, 1);
  assert.equal(await get(), "ok");
  assert.equal(calls, 2);
});
