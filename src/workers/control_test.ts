import assert from "node:assert/strict";
import { nullLogger } from "../log/mod.ts";
import { ControlChannel } from "./control.ts";

const post = (c: ControlChannel, path: string, body: unknown) =>
  c.handle(new Request(`http://control${path}`, { method: "POST", body: JSON.stringify(body) }));

Deno.test("control channel: join, claim, a sibling's claim is 409, leave frees the claims", async () => {
  const c = new ControlChannel(nullLogger);
  // Control ports 0: the pushes to the workers fail quietly (nobody listens there).
  assert.equal((await post(c, "/join", { index: 0, pid: 10, relayPort: 4000, controlPort: 1 })).status, 200);
  assert.equal((await post(c, "/join", { index: 1, pid: 11, relayPort: 4001, controlPort: 1 })).status, 200);
  const claimed = await post(c, "/claim", { index: 0, key: "live/a" });
  assert.equal(claimed.status, 200);
  assert.deepEqual((await claimed.json()).claims, [{ key: "live/a", worker: 0, relayPort: 4000 }]);
  const busy = await post(c, "/claim", { index: 1, key: "live/a" });
  assert.equal(busy.status, 409);
  assert.match(await busy.text(), /live\/a/);
  c.left(0);
  assert.deepEqual(c.view().claims, []);
  assert.deepEqual(c.view().workers.map((w) => w.index), [1]);
});

Deno.test("control channel: bad requests name the value and the rule", async () => {
  const c = new ControlChannel(nullLogger);
  const r = await post(c, "/join", { index: -2, pid: 1, relayPort: 1, controlPort: 1 });
  assert.equal(r.status, 400);
  assert.match(await r.text(), /worker index -2 is invalid: must be an integer ≥ 0/);
  const unknown = await post(c, "/nope", {});
  assert.equal(unknown.status, 404);
  const get = await c.handle(new Request("http://control/claim"));
  assert.equal(get.status, 405);
});
