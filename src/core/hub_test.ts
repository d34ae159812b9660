import assert from "node:assert/strict";
import { Hub, type HubOptions, MAX_FORWARD_HOPS } from "./hub.ts";
import {
  AppNotAllowedError,
  AuthError,
  BadNameError,
  ForwardLoopError,
  NotFoundError,
  StreamBusyError,
} from "./errors.ts";
import { tick, vframe } from "./_fixtures_test_util.ts";

const base: HubOptions = {
  liveApps: ["live"],
  recApps: ["rec"],
  gop: { enabled: true, maxFrames: 100, maxBytes: 1 << 20 },
  maxIdleMs: 0,
};
const req = (over: Record<string, string> = {}) => ({
  role: "publisher" as const,
  protocol: "test",
  app: "live",
  name: "cam",
  vhost: "localhost",
  query: "",
  ...over,
});

Deno.test("hub admission: allowlist, names, busy", async (t) => {
  const hub = new Hub(base);
  const cases: [string, Record<string, string>, unknown][] = [
    ["unknown app", { app: "sky" }, AppNotAllowedError],
    ["traversal", { name: ".." }, BadNameError],
    ["slash", { name: "a/b" }, BadNameError],
    ["empty", { name: "" }, BadNameError],
  ];
  for (const [what, over, err] of cases) {
    await t.step(what, async () => {
      await assert.rejects(hub.publish(req(over)), err as Error);
    });
  }
  await t.step("busy", async () => {
    const s = await hub.publish(req());
    await assert.rejects(hub.publish(req()), StreamBusyError);
    s.end();
    await tick();
    const s2 = await hub.publish(req());
    s2.end();
  });
  await t.step("rec app allowed", async () => {
    const s = await hub.publish(req({ app: "rec" }));
    assert.equal(hub.isRecordApp("rec"), true);
    s.end();
  });
  hub.close();
});

Deno.test("hub admission: forward chains naming this server or too long are loops", async () => {
  const hub = new Hub(base);
  const hops = (n: number) => Array.from({ length: n }, (_, i) => `srv${i}`);
  const cases: [string, string[], boolean][] = [
    ["no chain", [], true],
    ["another server", ["a"], true],
    ["at the hop limit", hops(MAX_FORWARD_HOPS), true],
    ["past the hop limit", hops(MAX_FORWARD_HOPS + 1), false],
    ["names this server", ["a", hub.serverId, "b"], false],
  ];
  for (const [what, via, ok] of cases) {
    const p = hub.publish({ ...req(), via });
    if (ok) {
      const s = await p;
      assert.deepEqual(s.info.via, via, what);
      s.end();
      await tick();
    } else {
      await assert.rejects(p, (e) => e instanceof ForwardLoopError && e.message.includes("live/cam"), what);
    }
  }
  hub.close();
});

Deno.test("hub publish checks: a check that throws refuses the publish; a relay is marked on the stream", async () => {
  const hub = new Hub(base);
  const remove = hub.addPublishCheck((r) => {
    if (r.name === "elsewhere" && !r.relay) throw new StreamBusyError(`${r.app}/${r.name}`);
  });
  await assert.rejects(hub.publish(req({ name: "elsewhere" })), StreamBusyError);
  const relay = await hub.publish({ ...req({ name: "elsewhere" }), relay: true });
  assert.equal(relay.info.relay, true);
  relay.end();
  await tick();
  remove();
  const s = await hub.publish(req({ name: "elsewhere" }));
  assert.equal(s.info.relay, undefined);
  s.end();
  hub.close();
});

Deno.test("hub passes every request to the authorizer", async () => {
  const seen: string[] = [];
  const hub = new Hub({
    ...base,
    authorize: (r) => {
      seen.push(`${r.role}:${r.query}`);
      return r.query === "token=good" ? Promise.resolve() : Promise.reject(new AuthError("denied"));
    },
  });
  await assert.rejects(hub.publish(req({ query: "token=bad" })), AuthError);
  const s = await hub.publish(req({ query: "token=good" }));
  await assert.rejects(hub.play({ ...req({ query: "token=bad" }), role: "player" }), AuthError);
  assert.equal(await hub.play({ ...req({ query: "token=good" }), role: "player" }), s);
  // This server's own publishes (an edge or static pull, a sibling worker's relay) and a relay's
  // plays are not asked: they have no client and no client's query.
  const pull = await hub.publish({ ...req({ name: "pulled" }), internal: true });
  const relay = await hub.publish({ ...req({ name: "relayed" }), relay: true });
  assert.equal(await hub.play({ ...req({ name: "relayed" }), role: "player", protocol: "relay" }), relay);
  assert.deepEqual(seen, [
    "publisher:token=bad",
    "publisher:token=good",
    "player:token=bad",
    "player:token=good",
  ]);
  pull.end("done");
  hub.close();
});

Deno.test("hub play waits for a publisher, or fails fast", async () => {
  const hub = new Hub(base);
  await assert.rejects(hub.play({ ...req(), role: "player" }), NotFoundError);
  const waiting = hub.play({ ...req(), role: "player" }, { waitMs: 2000 });
  await tick(20);
  const s = await hub.publish(req());
  assert.equal(await waiting, s);
  await assert.rejects(
    hub.play({ ...req({ name: "other" }), role: "player" }, { waitMs: 30 }),
    NotFoundError,
  );
  const ac = new AbortController();
  const aborted = hub.play({ ...req({ name: "x" }), role: "player" }, { waitMs: 5000, signal: ac.signal });
  ac.abort();
  await assert.rejects(aborted, NotFoundError);
  hub.close();
});

Deno.test("hub closes an idle publisher after maxIdleMs", async () => {
  const hub = new Hub({ ...base, maxIdleMs: 200 });
  const s = await hub.publish(req());
  s.write(vframe(0));
  const reason = await s.ended;
  assert.match(reason, /idle/);
  assert.equal(hub.get("live/cam"), undefined);
  hub.close();
});

Deno.test("hub fires publish and unpublish listeners", async () => {
  const hub = new Hub(base);
  const events: string[] = [];
  hub.onPublish((s) => events.push(`+${s.key}`));
  hub.onUnpublish((s) => events.push(`-${s.key}`));
  const s = await hub.publish(req());
  s.end();
  await tick();
  assert.deepEqual(events, ["+live/cam", "-live/cam"]);
  hub.close();
});

Deno.test("hub close ends every stream and refuses new publishers and players (the server is stopping)", async () => {
  const hub = new Hub(base);
  const s = await hub.publish(req());
  hub.close();
  assert.equal(await s.ended, "server stopping");
  await assert.rejects(hub.publish(req()), /live\/cam is not available: the server is stopping/);
  await assert.rejects(hub.play({ ...req(), role: "player" }), NotFoundError);
});

Deno.test("hub play: a stream is refused (not found, with the reason) to a player protocol it is not offered over; a relay always gets it", async () => {
  const hub = new Hub({
    ...base,
    offered: (from, player) => from === "rtsp" && player !== "rtsp" ? "RTSP players only" : undefined,
  });
  try {
    const cam = await hub.publish(req({ protocol: "rtsp" }));
    const player = (protocol: string) =>
      req({ role: "player", protocol }) as unknown as Parameters<Hub["play"]>[0];
    assert.equal(await hub.play(player("rtsp")), cam);
    assert.equal(await hub.play(player("relay")), cam);
    await assert.rejects(
      hub.play(player("rtmp")),
      (e: Error) =>
        e instanceof NotFoundError && /live\/cam is not offered over rtmp: RTSP players only/.test(e.message),
    );
    cam.end("done");
    await tick(); // the hub forgets an ended stream when its `ended` settles
    // A player waiting for the stream is refused when it arrives from a protocol not offered to it.
    const waiting = hub.play(player("http"), { waitMs: 2000 });
    const again = await hub.publish(req({ protocol: "rtsp" }));
    await assert.rejects(waiting, NotFoundError);
    again.end("done");
    await tick();
    const fromRtmp = await hub.publish(req({ protocol: "rtmp" }));
    assert.equal(await hub.play(player("http")), fromRtmp);
    fromRtmp.end("done");
  } finally {
    hub.close();
  }
});
