import assert from "node:assert/strict";
import { mallocTrimUnavailable, startMallocTrim } from "./malloc_trim.ts";
import { nullLogger } from "../log/mod.ts";

Deno.test("malloc trim: off, with the reason, where it cannot run", () => {
  assert.match(mallocTrimUnavailable("windows")!, /windows is not Linux/);
  assert.match(mallocTrimUnavailable("darwin")!, /darwin is not Linux/);
  assert.equal(mallocTrimUnavailable("linux"), undefined); // the tests run with --allow-all
});

Deno.test("malloc trim: memory freed inside the C heap goes back to the system", () => {
  const t = startMallocTrim(nullLogger, 3_600_000);
  assert.ok(t, "glibc's malloc_trim through FFI");
  const c = Deno.dlopen("libc.so.6", {
    malloc: { parameters: ["usize"], result: "pointer" },
    free: { parameters: ["pointer"], result: "void" },
    memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
  });
  try {
    // 1,600 × 64 KiB (under the mmap threshold, so in the heap), touched, each followed by a small block
    // that stays: freeing the big ones leaves holes between live blocks, which free() alone never gives
    // back (only the heap's top is trimmed by itself), as after a burst of frames among long-lived objects.
    const blocks: Deno.PointerValue[] = [], pins: Deno.PointerValue[] = [];
    for (let i = 0; i < 1600; i++) {
      const p = c.symbols.malloc(65536n)!;
      c.symbols.memset(p, 1, 65536n);
      blocks.push(p);
      pins.push(c.symbols.malloc(64n));
    }
    for (const p of blocks) c.symbols.free(p);
    const released = t.trim();
    for (const p of pins) c.symbols.free(p);
    assert.ok(released > 50 * 1024 * 1024, `released ${(released / 1048576).toFixed(1)} MB of ~100`);
    assert.equal(t.stats.runs, 1);
  } finally {
    c.close();
    t.stop();
  }
});
