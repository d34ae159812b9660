import assert from "node:assert/strict";
import { createLogger, MemorySink } from "../log/mod.ts";
import { shutdownHandler } from "./shutdown.ts";

function fakeServer(stopMs: number | "never") {
  const sink = new MemorySink(100);
  const log = createLogger({ level: "debug", sinks: [sink] });
  let stops = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    log,
    sink,
    get stops() {
      return stops;
    },
    stop() {
      stops++;
      if (stopMs === "never") return new Promise<void>(() => {});
      return new Promise<void>((r) => timer = setTimeout(r, stopMs));
    },
    clear: () => clearTimeout(timer),
  };
}

function exitRecorder() {
  const codes: number[] = [];
  let resolve!: () => void;
  const exited = new Promise<void>((r) => resolve = r);
  return { codes, exited, exit: (c: number) => (codes.push(c), resolve()) };
}

Deno.test("shutdownHandler: a stop that finishes exits 0 once, after stopping the server once", async () => {
  const server = fakeServer(50);
  const x = exitRecorder();
  const onStop = shutdownHandler(server, { deadlineMs: 1000, exit: x.exit });
  const t0 = performance.now();
  onStop("SIGTERM");
  await x.exited;
  assert.deepEqual(x.codes, [0]);
  assert.equal(server.stops, 1);
  assert.ok(performance.now() - t0 < 900);
  assert.ok(server.sink.lines.some((l) => /stopping .*signal=SIGTERM/.test(l)));
});

Deno.test("shutdownHandler: a stop that hangs exits 1 at the deadline with one error line", async () => {
  const server = fakeServer("never");
  const x = exitRecorder();
  const onStop = shutdownHandler(server, { deadlineMs: 200, exit: x.exit });
  const t0 = performance.now();
  onStop("SIGINT");
  await x.exited;
  const ms = performance.now() - t0;
  assert.deepEqual(x.codes, [1]);
  assert.ok(ms >= 190 && ms < 1000, `exited after ${ms} ms`);
  assert.equal(server.sink.lines.filter((l) => /stop deadline passed/.test(l)).length, 1);
});

Deno.test("shutdownHandler: a second signal while stopping exits at once", async () => {
  const server = fakeServer(300);
  const x = exitRecorder();
  const onStop = shutdownHandler(server, { deadlineMs: 1000, exit: x.exit });
  onStop("SIGINT");
  onStop("SIGINT");
  await x.exited;
  assert.deepEqual(x.codes, [1]);
  assert.equal(server.stops, 1);
  // The first stop still completes later, but the process has already been told to exit.
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(x.codes, [1]);
});
