import assert from "node:assert/strict";
import { Imdct, imdctDirect } from "./imdct.ts";

for (const n of [2048, 256]) {
  Deno.test(`IMDCT ${n}: the fast transform equals the defining sum`, () => {
    const spec = new Float32Array(n / 2);
    let seed = 12345;
    for (let i = 0; i < spec.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      spec[i] = (seed / 2 ** 31) * 1000;
    }
    const out = new Float64Array(n);
    new Imdct(n).run(spec, 0, out, 1);
    const ref = imdctDirect(spec, n);
    let err = 0;
    let peak = 0;
    for (let i = 0; i < n; i++) {
      err = Math.max(err, Math.abs(out[i] - ref[i]));
      peak = Math.max(peak, Math.abs(ref[i]));
    }
    assert.ok(peak > 1, `reference peak ${peak}`);
    assert.ok(err / peak < 1e-9, `max error ${err} against peak ${peak}`);
  });
}
