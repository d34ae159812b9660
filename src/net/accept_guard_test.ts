import assert from "node:assert/strict";
import { createLogger, MemorySink } from "../log/mod.ts";
import { AcceptGuard } from "./accept_guard.ts";
import { FdBudget } from "./fd_budget.ts";

/** Just enough of a Deno.Conn for the guard: an address and a close that is counted. */
function fakeConn(ip: string) {
  const c = {
    remoteAddr: { transport: "tcp", hostname: ip, port: 1 },
    closed: false,
    close() {
      c.closed = true;
    },
  };
  return c as unknown as Deno.Conn & { closed: boolean };
}

function guard(limits: { maxConns: number; maxConnsPerIp: number; fdReserve: number }, open = () => 10) {
  const sink = new MemorySink();
  const log = createLogger({ sinks: [sink] });
  const budget = new FdBudget({ limit: 100, count: open, now: () => 0 });
  return { g: new AcceptGuard({ name: "test", log, limits, budget }), sink };
}

Deno.test("AcceptGuard.admit: total and per-address limits; a release makes room again", () => {
  const { g, sink } = guard({ maxConns: 3, maxConnsPerIp: 2, fdReserve: 0 });
  const cases: [string, boolean][] = [
    ["10.0.0.1", true],
    ["10.0.0.1", true],
    ["10.0.0.1", false], // per address
    ["10.0.0.2", true],
    ["10.0.0.3", false], // total
  ];
  const releases: (() => void)[] = [];
  for (const [ip, want] of cases) {
    const c = fakeConn(ip);
    const r = g.admit(c);
    assert.equal(r !== undefined, want, ip);
    assert.equal(c.closed, !want, `${ip}: a refused connection is closed at once`);
    if (r) releases.push(r);
  }
  assert.deepEqual(g.refused, { maxConns: 1, maxConnsPerIp: 1, fds: 0 });
  assert.equal(g.open, 3);
  releases[0]();
  releases[0](); // twice is once
  assert.equal(g.open, 2);
  assert.ok(g.admit(fakeConn("10.0.0.1")));
  // Two refusals within a second: one log line.
  assert.equal(sink.lines.filter((l) => l.includes("connection refused")).length, 1);
});

Deno.test("AcceptGuard.admit: refuses when the descriptor reserve would be eaten; 0 = no limit", () => {
  const { g } = guard({ maxConns: 0, maxConnsPerIp: 0, fdReserve: 64 }, () => 30);
  assert.ok(g.admit(fakeConn("a")));
  const { g: full, sink } = guard({ maxConns: 0, maxConnsPerIp: 0, fdReserve: 64 }, () => 40);
  assert.equal(full.admit(fakeConn("a")), undefined);
  assert.match(sink.lines.join("\n"), /descriptors open of 100: 64 are kept free/);
  full.setLimits({ fdReserve: 0 });
  assert.ok(full.admit(fakeConn("a")));
});

Deno.test("AcceptGuard.failed: backs off 10 ms doubling to 1 s, one log line per second; admit resets", async () => {
  const { g, sink } = guard({ maxConns: 0, maxConnsPerIp: 0, fdReserve: 0 });
  const waits: number[] = [], backoffs: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    await g.failed(new Error("Too many open files"));
    waits.push(performance.now() - t0);
    backoffs.push(g.backoffMs);
  }
  assert.deepEqual(backoffs, [10, 20, 40, 80]);
  // Timers may fire late on a busy machine, never early.
  for (const [i, w] of waits.entries()) assert.ok(w >= backoffs[i] - 1, `wait ${i}: ${w} ms`);
  assert.equal(sink.lines.filter((l) => l.includes("accept failed")).length, 1);
  assert.equal(g.acceptErrors, 4);
  g.admit(fakeConn("a"));
  assert.equal(g.backoffMs, 0);
  await g.failed(new Error("again"));
  assert.equal(g.backoffMs, 10, "the back-off starts over after a good accept");
});
