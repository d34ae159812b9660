/**
 * The short fuzz run of `deno task test`: every target for a fixed seed. The full run is
 * `deno task fuzz` (docs/reliability.md, Fuzzing). The first tests prove the runner itself sees
 * a crasher, a slow input and a refusal for what they are, so a green run means something.
 */
import assert from "node:assert/strict";
import { ProtocolError } from "../core/errors.ts";
import { Prng } from "./prng.ts";
import { mutate } from "./mutate.ts";
import { hex, runTarget } from "./run.ts";
import { framed, type FuzzTarget, unframe } from "./target.ts";
import { TARGETS } from "./targets.ts";

const SEED = 20240610;
const INPUTS = 5000;
/**
 * The short run shares the machine with the rest of the suite (three test files at a time on two
 * cores), so it flags only inputs that take 500 ms three times: a hang or a blow-up, not scheduler
 * jitter. The full run (`deno task fuzz`) keeps the 50 ms limit.
 */
const SUITE_SLOW_MS = 500;

Deno.test("fuzz prng: the same seed gives the same inputs", () => {
  const seeds = [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])];
  const run = (seed: number) => {
    const r = new Prng(seed);
    return Array.from({ length: 50 }, () => hex(mutate(r, seeds)));
  };
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
});

Deno.test("fuzz framing: framed ⇄ unframe", () => {
  const packets = [new Uint8Array([1]), new Uint8Array(0), new Uint8Array(300).fill(9)];
  assert.deepEqual(unframe(framed(packets)), packets);
});

Deno.test("fuzz runner: typed refusals pass; other exceptions and slow inputs fail", async () => {
  const seeds = () => [new Uint8Array(16)];
  const refusing: FuzzTarget = {
    name: "refusing",
    seeds,
    accepted: [ProtocolError],
    run: () => {
      throw new ProtocolError("refused");
    },
  };
  const r1 = await runTarget(refusing, { seed: 1, inputs: 200 });
  assert.deepEqual([r1.inputs, r1.refused, r1.failures.length], [200, 200, 0]);

  const crashing: FuzzTarget = {
    name: "crashing",
    seeds,
    accepted: [ProtocolError],
    run: (b) => {
      if (b.length !== 16) throw new TypeError("boom");
    },
  };
  const r2 = await runTarget(crashing, { seed: 1, inputs: 200, maxFailures: 3 });
  assert.equal(r2.failures.length, 3);
  assert.equal(r2.failures[0].kind, "exception");
  assert.match(r2.failures[0].message, /TypeError: boom/);

  const slow: FuzzTarget = {
    name: "slow",
    seeds,
    accepted: [],
    run: () => {
      const end = performance.now() + 8;
      while (performance.now() < end) { /* a parser that does not advance */ }
    },
  };
  const r3 = await runTarget(slow, { seed: 1, inputs: 3, slowMs: 5 });
  assert.deepEqual(r3.failures.map((f) => f.kind), ["slow", "slow", "slow"]);
});

Deno.test("fuzz runner: an async target's rejections are refusals or crashers too", async () => {
  const asyncTarget: FuzzTarget = {
    name: "async",
    seeds: () => [new Uint8Array(16)],
    accepted: [ProtocolError],
    run: async (b) => {
      await Promise.resolve();
      if (b[0] === 0) throw new ProtocolError("refused");
      throw new TypeError("async boom");
    },
  };
  const r = await runTarget(asyncTarget, { seed: 1, inputs: 300, maxFailures: 2 });
  assert.ok(r.refused > 0, `${r.refused} refused`);
  assert.equal(r.failures.length, 2);
  assert.match(r.failures[0].message, /TypeError: async boom/);
});

Deno.test("fuzz: target names are unique and every target's seeds pass or are refused", async () => {
  assert.equal(new Set(TARGETS.map((t) => t.name)).size, TARGETS.length);
  for (const t of TARGETS) {
    // A hostile table row is a seed too: it must end in one of the target's typed refusals.
    for (const s of t.seeds()) {
      try {
        await t.run(s.slice());
      } catch (e) {
        if (!t.accepted.some((c) => e instanceof c)) throw e;
      }
    }
  }
});

for (const t of TARGETS) {
  Deno.test(`fuzz ${t.name}: ${INPUTS} inputs, seed ${SEED}`, async () => {
    const r = await runTarget(t, { seed: SEED, inputs: INPUTS, slowMs: SUITE_SLOW_MS });
    const failures = r.failures.map((f) => `${f.kind}: ${f.message}\n  input ${hex(f.input)}`);
    assert.deepEqual(failures, []);
    assert.equal(r.inputs, INPUTS);
  });
}
