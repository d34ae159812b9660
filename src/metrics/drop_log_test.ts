import assert from "node:assert/strict";
import { createLogger, MemorySink } from "../log/mod.ts";
import { DropLog } from "./drop_log.ts";
import { publish, testHub, tick } from "./_test_util.ts";

function setup() {
  const sink = new MemorySink();
  const hub = testHub();
  const drops = new DropLog({ hub, log: createLogger({ sinks: [sink] }), intervalMs: 300, firstDelayMs: 20 });
  const lines = () => sink.lines.filter((l) => l.includes("frames dropped"));
  return { hub, drops, lines };
}

Deno.test("drop log: one summary per burst, at most one line per interval, no timer when quiet", async () => {
  const { hub, drops, lines } = setup();
  const s = await publish(hub, "cam");
  assert.equal(drops.active, false, "no timer before the first drop");

  for (let i = 0; i < 5; i++) s.countDrop("player_backlog", 3, 300);
  s.countDrop("reader_queue", 1, 50);
  assert.equal(lines().length, 0, "the first line waits for the burst");
  await tick(40);
  assert.equal(lines().length, 1);
  assert.match(
    lines()[0],
    /WARN +frames dropped key=live\/cam frames=16 reader_queue=1 player_backlog=15 bytes=1550 /,
  );
  assert.match(lines()[0], / total=16$/);

  // Drops keep coming: they wait for the end of the interval, then make one line.
  for (let i = 0; i < 10; i++) {
    s.countDrop("player_backlog", 2, 100);
    await tick(5);
  }
  assert.equal(lines().length, 1);
  await tick(300);
  assert.equal(lines().length, 2);
  assert.match(lines()[1], /frames=20 player_backlog=20 bytes=1000 since_s=[\d.]+ total=36$/);

  // Quiet for a whole interval: the timer stops.
  await tick(320);
  assert.equal(drops.active, false);
  assert.equal(lines().length, 2);
  s.end();
  drops.close();
  hub.close();
});

Deno.test("drop log: each stream has its own line; the last stream leaving flushes and stops", async () => {
  const { hub, drops, lines } = setup();
  const a = await publish(hub, "a");
  const b = await publish(hub, "b");
  a.countDrop("reader_queue", 4, 400);
  b.countDrop("player_backlog", 2, 20);
  await tick(40);
  assert.deepEqual(lines().map((l) => /key=(\S+)/.exec(l)![1]).sort(), ["live/a", "live/b"]);
  a.countDrop("reader_queue", 1, 10); // inside the interval: pending
  a.end();
  b.end();
  await tick(); // the hub hears of the ends
  assert.equal(lines().length, 3, "what was pending is logged when the last stream leaves");
  assert.match(lines()[2], /key=live\/a frames=1 reader_queue=1 bytes=10 /);
  assert.equal(drops.active, false);
  drops.close();
  hub.close();
});
