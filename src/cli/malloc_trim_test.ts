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
    // 1,600 × 64 KiB (under the mmap threshold, so in the heap) touched, then a small block above them
    // keeps the heap's top in use: free() alone gives nothing back, as after a burst of frames.
    const blocks = Array.from({ length: 1600 }, () => {
      const p = c.symbols.malloc(65536n)!;
      c.symbols.memset(p, 1, 65536n);
      return p;
    });
    const pin = c.symbols.malloc(64n);
    for (const p of blocks) c.symbols.free(p);
    const released = t.trim();
    c.symbols.free(pin);
    assert.ok(released > 50 * 1024 * 1024, `released ${(released / 1048576).toFixed(1)} MB of ~100`);
    assert.equal(t.stats.runs, 1);
  } finally {
    c.close();
    t.stop();
  }
});
