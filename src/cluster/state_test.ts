import assert from "node:assert/strict";
import { createLogger, MemorySink } from "../log/mod.ts";
import { type ForwardEvent, type ForwardState, ForwardStatus } from "./state.ts";

const ok: ForwardEvent = { type: "published" };
const fail = (why: string): ForwardEvent => ({ type: "failed", why });
const attempt: ForwardEvent = { type: "attempt" };
const stop: ForwardEvent = { type: "stopped", why: "stream ended" };

Deno.test("forward state machine: states, counters and one log line per change", () => {
  const cases: {
    what: string;
    events: ForwardEvent[];
    state: ForwardState;
    reconnects: number;
    error: string;
    logged: string[];
  }[] = [
    {
      what: "connects and forwards",
      events: [ok],
      state: "forwarding",
      reconnects: 0,
      error: "",
      logged: ["forward connecting", "forward publishing"],
    },
    {
      what: "target down: retried quietly, one line",
      events: [fail("refused"), attempt, fail("refused"), attempt, fail("timed out")],
      state: "retrying",
      reconnects: 2,
      error: "timed out",
      logged: ["forward connecting", "forward retrying why=refused"],
    },
    {
      what: "drop, then resume",
      events: [ok, fail("connection closed"), attempt, fail("refused"), attempt, ok],
      state: "forwarding",
      reconnects: 2,
      error: "",
      logged: [
        "forward connecting",
        "forward publishing",
        'forward retrying why="connection closed"',
        "forward publishing down_ms=10000 reconnects=2",
      ],
    },
    {
      what: "nothing after stopped",
      events: [ok, stop, fail("x"), ok],
      state: "stopped",
      reconnects: 0,
      error: "",
      logged: ["forward connecting", "forward publishing", 'forward stopped why="stream ended"'],
    },
  ];
  for (const c of cases) {
    const sink = new MemorySink(100);
    let t = 0;
    const s = new ForwardStatus(createLogger({ level: "debug", sinks: [sink] }), () => t);
    for (const e of c.events) {
      s.on(e);
      t += 2500;
    }
    assert.equal(s.state, c.state, c.what);
    assert.equal(s.reconnects, c.reconnects, c.what);
    assert.equal(s.error, c.error, c.what);
    const msgs = sink.lines.map((l) => l.replace(/^.*?(forward )/, "$1"));
    assert.deepEqual(msgs, c.logged, c.what);
  }
});
