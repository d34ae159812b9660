import assert from "node:assert/strict";
import { createLogger, MemorySink } from "../log/mod.ts";
import { HookSender, shown } from "./sender.ts";

/** A hook server: records each body; answers `status`, after `delayMs`. */
function receiver(opts: { status?: number; delayMs?: number } = {}) {
  const got: Record<string, unknown>[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    got.push(await req.json());
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    return new Response(null, { status: opts.status ?? 204 });
  });
  return { got, server, url: `http://127.0.0.1:${server.addr.port}/hooks` };
}

Deno.test("HookSender: events arrive one at a time and in order, with seq and time; counted by event", async () => {
  const r = receiver();
  const sink = new MemorySink(100);
  const s = new HookSender({ url: r.url, timeoutMs: 2000, log: createLogger({ sinks: [sink] }) });
  try {
    for (let i = 0; i < 5; i++) s.send({ event: i % 2 ? "unpublish" : "publish", key: `live/s${i}` });
    await s.close();
    assert.deepEqual(r.got.map((e) => [e.event, e.key, e.seq]), [
      ["publish", "live/s0", 1],
      ["unpublish", "live/s1", 2],
      ["publish", "live/s2", 3],
      ["unpublish", "live/s3", 4],
      ["publish", "live/s4", 5],
    ]);
    assert.ok(!Number.isNaN(Date.parse(String(r.got[0].time))));
    assert.deepEqual(s.counts.get("publish"), { ok: 3, failed: 0, dropped: 0 });
    assert.deepEqual(s.counts.get("unpublish"), { ok: 2, failed: 0, dropped: 0 });
    s.send({ event: "publish" });
    assert.equal(r.got.length, 5, "nothing is sent once closed");
  } finally {
    await r.server.shutdown();
  }
});

Deno.test("HookSender: failures (status, deadline, no server) are counted and logged at most once per interval; a full queue drops the oldest", async () => {
  const sink = new MemorySink(100);
  const log = createLogger({ sinks: [sink] });
  const bad = receiver({ status: 500 });
  const slow = receiver({ delayMs: 300 });
  try {
    const s = new HookSender({ url: bad.url, timeoutMs: 2000, log, logEveryMs: 60_000 });
    s.send({ event: "publish" });
    s.send({ event: "publish" });
    await s.close();
    assert.deepEqual(s.counts.get("publish"), { ok: 0, failed: 2, dropped: 0 });
    const lines = sink.lines.filter((l) => l.includes("hook call failed"));
    assert.equal(lines.length, 1, "one line for both");
    assert.match(lines[0], /answered 500/);

    const t = new HookSender({ url: slow.url, timeoutMs: 100, log });
    t.send({ event: "record_done" });
    await t.close();
    assert.deepEqual(t.counts.get("record_done"), { ok: 0, failed: 1, dropped: 0 }, "past the deadline");

    // The first is under way; of the next five only the three last fit in the queue.
    const q = new HookSender({ url: slow.url, timeoutMs: 2000, log, maxQueue: 3 });
    for (let i = 0; i < 6; i++) q.send({ event: "publish", i });
    await q.close();
    assert.deepEqual(q.counts.get("publish"), { ok: 4, failed: 0, dropped: 2 });
    assert.deepEqual(slow.got.slice(-4).map((e) => e.i), [0, 3, 4, 5]);
  } finally {
    await bad.server.shutdown();
    await slow.server.shutdown();
  }
  // Nobody there: a network error is a failure, not a throw.
  const gone = new HookSender({ url: bad.url, timeoutMs: 1000, log });
  gone.send({ event: "publish" });
  await gone.close();
  assert.equal(gone.counts.get("publish")?.failed, 1);
});

Deno.test("HookSender: close waits at most one call's deadline; what is left is dropped and counted", async () => {
  const slow = receiver({ delayMs: 400 });
  try {
    const s = new HookSender({
      url: slow.url,
      timeoutMs: 300,
      log: createLogger({ sinks: [new MemorySink(10)] }),
    });
    for (let i = 0; i < 5; i++) s.send({ event: "unpublish", i });
    const t0 = Date.now();
    await s.close();
    assert.ok(Date.now() - t0 < 1000, `closed in ${Date.now() - t0} ms`);
    const c = s.counts.get("unpublish")!;
    assert.equal(c.ok, 0);
    assert.ok(c.dropped >= 3, JSON.stringify(c));
  } finally {
    await slow.server.shutdown();
  }
});

Deno.test("shown: a hook URL's credentials and query stay out of the log", () => {
  assert.equal(shown("https://bot:s3cret@hooks.example/in?token=abc"), "https://hooks.example/in");
  assert.equal(shown("http://10.0.0.2:8000/hooks"), "http://10.0.0.2:8000/hooks");
});
