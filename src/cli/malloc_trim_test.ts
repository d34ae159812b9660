import assert from "node:assert/strict";
import { mallocTrimUnavailable, startMallocTrim, trimDue } from "./malloc_trim.ts";
import { nullLogger } from "../log/mod.ts";

Deno.test("malloc trim: off, with the reason, where it cannot run", () => {
  assert.match(mallocTrimUnavailable("windows")!, /windows is not Linux/);
  assert.match(mallocTrimUnavailable("darwin")!, /darwin is not Linux/);
  assert.equal(mallocTrimUnavailable("linux"), undefined); // the tests run with --allow-all
});

/**
 * 1,600 × 64 KiB (under the mmap threshold, so in the heap), touched, each followed by a small block
 * that stays, then the big ones freed: holes between live blocks, which free() alone never gives back
 * (only the heap's top is trimmed by itself), as after a burst of frames among long-lived objects. Calls
 * `run` with the heap in that state, then frees the small blocks.
 */
async function withHoles(run: () => void | Promise<void>): Promise<void> {
  const c = Deno.dlopen("libc.so.6", {
    malloc: { parameters: ["usize"], result: "pointer" },
    free: { parameters: ["pointer"], result: "void" },
    memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
  });
  const blocks: Deno.PointerValue[] = [], pins: Deno.PointerValue[] = [];
  try {
    for (let i = 0; i < 1600; i++) {
      const p = c.symbols.malloc(65536n)!;
      c.symbols.memset(p, 1, 65536n);
      blocks.push(p);
      pins.push(c.symbols.malloc(64n));
    }
    for (const p of blocks) c.symbols.free(p);
    await run();
  } finally {
    for (const p of pins) c.symbols.free(p);
    c.close();
  }
}

/**
 * The two heap scenarios, each in a fresh process: `deno test --parallel` runs other test files as
 * threads of this process, so its resident size moves with their work, and any of them that starts a
 * server calls malloc_trim, which trims every arena, ours included (CI once saw the holes given back
 * before this file's own check ran).
 */
async function scenario(
  name: "trim" | "growth",
): Promise<{ released: number; runs: number; releasedBytes: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--no-check", new URL(import.meta.url).pathname, name],
    stderr: "inherit",
  }).output();
  assert.ok(out.success, `the ${name} scenario exited with ${out.code}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

if (import.meta.main) {
  const name = Deno.args[0];
  if (name === "trim") {
    const t = startMallocTrim(nullLogger, { everyMs: 3_600_000, checkMs: 3_600_000 })!;
    let released = 0;
    await withHoles(() => {
      released = t.trim();
    });
    console.log(JSON.stringify({ released, ...t.stats }));
    t.stop();
  } else if (name === "growth") {
    const t = startMallocTrim(nullLogger, { everyMs: 3_600_000, checkMs: 100, growthBytes: 16 << 20 })!;
    // As a join storm: the heap grows by ~100 MB, and the big blocks are freed between small ones that stay.
    await withHoles(async () => {
      const until = Date.now() + 5_000;
      while (t.stats.runs === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    });
    console.log(JSON.stringify({ released: 0, ...t.stats }));
    t.stop();
  }
}

Deno.test("malloc trim: memory freed inside the C heap goes back to the system", async () => {
  const r = await scenario("trim");
  assert.ok(r.released > 50 * 1024 * 1024, `released ${(r.released / 1048576).toFixed(1)} MB of ~100`);
  assert.equal(r.runs, 1);
});

Deno.test("malloc: the mmap threshold stays at 128 KiB after a larger mapped block is freed (glibc's dynamic threshold would grow the heap instead)", async () => {
  // In a fresh process: this one's heap already has free space that would serve the blocks.
  const script = `
    import { startMallocTrim } from ${JSON.stringify(new URL("./malloc_trim.ts", import.meta.url).href)};
    import { nullLogger } from ${JSON.stringify(new URL("../log/mod.ts", import.meta.url).href)};
    const fixed = Deno.args[0] === "fixed";
    const t = fixed ? startMallocTrim(nullLogger, { everyMs: 3_600_000, checkMs: 3_600_000 }) : undefined;
    const c = Deno.dlopen("libc.so.6", {
      malloc: { parameters: ["usize"], result: "pointer" },
      free: { parameters: ["pointer"], result: "void" },
      // struct mallinfo2: ten size_t fields; hblkhd (bytes in mapped blocks) is the fifth.
      mallinfo2: { parameters: [], result: { struct: Array(10).fill("usize") } },
    });
    const mapped = () => new BigUint64Array(c.symbols.mallinfo2().buffer)[4];
    // Freeing a 2 MiB mapped block raises a dynamic threshold to 2 MiB.
    c.symbols.free(c.symbols.malloc(2n * 1024n * 1024n));
    const before = mapped();
    for (let i = 0; i < 20; i++) c.symbols.malloc(600n * 1024n), c.symbols.malloc(64n);
    console.log(Number(mapped() - before));
    t?.stop();
  `;
  const grew = async (mode: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script, mode],
      stderr: "inherit",
    }).output();
    assert.ok(out.success);
    return Number(new TextDecoder().decode(out.stdout).trim());
  };
  const [fixed, dynamic] = await Promise.all([grew("fixed"), grew("dynamic")]);
  assert.ok(fixed >= 10 * 600 * 1024, `fixed: ${fixed} bytes mapped for 20 blocks of 600 KiB`);
  assert.equal(dynamic, 0, "glibc's default (the comparison): every block from the heap");
});

Deno.test("malloc trim: due every period, or sooner when the resident size grew by the threshold since the last trim", () => {
  const t = { everyMs: 30_000, growthBytes: 4 << 20 };
  const last = { at: 1_000, mark: 100 << 20 };
  assert.equal(trimDue(t, 2_000, last, 100 << 20), undefined);
  assert.equal(trimDue(t, 2_000, last, (104 << 20) - 1), undefined);
  assert.equal(trimDue(t, 2_000, last, 104 << 20), "growth");
  assert.equal(trimDue(t, 31_000, last, 90 << 20), "period");
  assert.equal(trimDue(t, 2_000, last, NaN), undefined, "no /proc: the period alone");
  assert.equal(trimDue(t, 31_000, last, NaN), "period");
  // After a growth trim, one follow-up catches what the burst frees in the seconds after it.
  const grown = { at: 1_000, mark: 104 << 20, followUpAt: 9_000 };
  assert.equal(trimDue(t, 8_999, grown, 104 << 20), undefined);
  assert.equal(trimDue(t, 9_000, grown, 104 << 20), "follow-up");
});

Deno.test("malloc trim: a burst freed inside the C heap is given back by the growth check, before the period", async () => {
  const r = await scenario("growth");
  assert.ok(r.runs >= 1, "a trim ran within 5 s, long before the hour's period");
  assert.ok(
    r.releasedBytes > 50 * 1024 * 1024,
    `released ${(r.releasedBytes / 1048576).toFixed(1)} MB of ~100`,
  );
});
