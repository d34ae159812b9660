import assert from "node:assert/strict";
import { PullBody } from "./pull_body.ts";

const tick = () => new Promise((r) => setTimeout(r, 5));

Deno.test("PullBody: a write settles only when the reader pulls; close ends after queued bytes", async () => {
  const body = new PullBody(() => assert.fail("not cancelled"));
  const reader = body.stream.getReader();
  let settled = false;
  const w1 = body.write(Uint8Array.of(1)).then(() => settled = true);
  await tick();
  assert.equal(settled, false, "nobody read yet");
  assert.deepEqual((await reader.read()).value, Uint8Array.of(1));
  await w1;
  assert.equal(settled, true);
  // A waiting read takes the next write at once.
  const r2 = reader.read();
  await body.write(Uint8Array.of(2));
  assert.deepEqual((await r2).value, Uint8Array.of(2));
  const w3 = body.write(Uint8Array.of(3));
  body.close("stream ended");
  await w3;
  assert.deepEqual((await reader.read()).value, Uint8Array.of(3));
  assert.equal((await reader.read()).done, true);
  await assert.rejects(body.write(Uint8Array.of(4)), /closed/);
  assert.equal(body.bytes, 3);
});

Deno.test("PullBody: a client that goes away cancels once", async () => {
  const reasons: string[] = [];
  const body = new PullBody((r) => reasons.push(r));
  const pending = body.write(Uint8Array.of(1));
  await body.stream.cancel("reset");
  await pending;
  body.close("later");
  assert.deepEqual(reasons, ["client left: reset"]);
  assert.equal(body.closed, true);
});
