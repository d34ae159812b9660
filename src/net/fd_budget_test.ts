import assert from "node:assert/strict";
import { countOpenFds, FdBudget, parseFdLimit } from "./fd_budget.ts";

const LIMITS = (soft: string) =>
  `Limit                     Soft Limit           Hard Limit           Units     \n` +
  `Max processes             63412                63412                processes \n` +
  `Max open files            ${soft}                 524288               files     \n`;

Deno.test("parseFdLimit: the soft 'Max open files' value; unlimited or missing is unknown", () => {
  const cases: [string, number | undefined][] = [
    [LIMITS("1024"), 1024],
    [LIMITS("256"), 256],
    [LIMITS("unlimited"), undefined],
    ["Max processes 10 10 processes\n", undefined],
    ["", undefined],
  ];
  for (const [text, want] of cases) assert.equal(parseFdLimit(text), want, text);
});

Deno.test("FdBudget.hasRoom: refuses within the reserve; samples at most every 250 ms; unknown passes", () => {
  let open = 100, counts = 0, now = 0;
  const b = new FdBudget({ limit: 200, count: () => (counts++, open), now: () => now });
  const cases: [number, number, number, boolean][] = [
    // [now ms, open fds, reserve, room]
    [0, 100, 64, true],
    [0, 150, 64, true], // not sampled again yet: still 100
    [300, 150, 64, false], // 150 + 64 >= 200
    [300, 150, 0, true], // no reserve: never refused
    [600, 135, 64, true],
  ];
  for (const [t, fds, reserve, want] of cases) {
    now = t;
    open = fds;
    assert.equal(b.hasRoom(reserve), want, `t=${t} fds=${fds} reserve=${reserve}`);
  }
  assert.equal(counts, 3);
  // taken() counts an accepted connection before the next sample.
  now = 900;
  open = 135;
  assert.equal(b.hasRoom(64), true);
  b.taken();
  assert.equal(b.open(), 136);

  const failing = new FdBudget({ limit: 200, count: () => undefined });
  assert.equal(failing.hasRoom(64), false, "a count that fails (EMFILE) means no room");
  const unknown = new FdBudget({ limit: undefined, count: () => undefined });
  assert.equal(unknown.hasRoom(64), true, "no known limit: never refuse");
});

Deno.test("countOpenFds: counts this process's descriptors on Linux (twenty more after opening twenty files)", () => {
  if (Deno.build.os !== "linux") return;
  // `deno test --parallel` runs other test files in this same process, and they open and close
  // descriptors too: compare a large step with a tolerance, not an exact count.
  const before = countOpenFds()!;
  const files = Array.from({ length: 20 }, () => Deno.openSync(Deno.execPath()));
  try {
    const grew = countOpenFds()! - before;
    assert.ok(grew >= 15 && grew <= 25, `20 files opened, the count grew by ${grew}`);
  } finally {
    for (const f of files) f.close();
  }
});
