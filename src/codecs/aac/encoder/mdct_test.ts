import assert from "node:assert/strict";
import { Filterbank } from "../filterbank.ts";
import {
  EIGHT_SHORT_SEQUENCE,
  LONG_START_SEQUENCE,
  LONG_STOP_SEQUENCE,
  newIcsState,
  ONLY_LONG_SEQUENCE,
} from "../ics.ts";
import { analyse } from "./filterbank.ts";
import { Mdct, mdctDirect } from "./mdct.ts";

Deno.test("MDCT: the fast transform matches the defining sum (2048 and 256)", () => {
  for (const n of [2048, 256]) {
    const z = new Float64Array(n).map((_, i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.9));
    const fast = new Float64Array(n / 2);
    new Mdct(n).run(z, fast, 0);
    const direct = mdctDirect(z, n);
    let err = 0, peak = 0;
    for (let k = 0; k < n / 2; k++) {
      err = Math.max(err, Math.abs(fast[k] - direct[k]));
      peak = Math.max(peak, Math.abs(direct[k]));
    }
    assert.ok(err < peak * 1e-12, `N=${n}: max error ${err} against peak ${peak}`);
  }
});

Deno.test("analysis filterbank: the decoder's filterbank gives the input back through every window sequence and shape", () => {
  // long, start, 8 short, 8 short, stop, long; shapes switching between sine and KBD.
  const seqs = [
    ONLY_LONG_SEQUENCE,
    LONG_START_SEQUENCE,
    EIGHT_SHORT_SEQUENCE,
    EIGHT_SHORT_SEQUENCE,
    LONG_STOP_SEQUENCE,
    ONLY_LONG_SEQUENCE,
    ONLY_LONG_SEQUENCE,
  ];
  const shapes = [0, 1, 1, 0, 0, 1, 0];
  const frames = seqs.length + 1;
  const input = Array.from(
    { length: frames },
    (_, f) =>
      new Float32Array(1024).map((_, i) =>
        0.5 * Math.sin((f * 1024 + i) * 0.05) + 0.1 * Math.sin((f * 1024 + i) * 1.3)
      ),
  );
  const fb = new Filterbank();
  const ics = newIcsState();
  const spec = new Float64Array(1024);
  let prevShape = 0;
  let checked = 0;
  for (let b = 0; b < seqs.length; b++) {
    const prev = b === 0 ? new Float32Array(1024) : input[b - 1];
    analyse(prev, input[b], seqs[b], prevShape, shapes[b], spec);
    ics.windowSequence = seqs[b];
    ics.windowShape = shapes[b];
    ics.spec.set(spec);
    const out = new Float32Array(1024);
    fb.run(ics, out);
    prevShape = shapes[b];
    if (b === 0) continue; // block 0's output is the overlap with nothing
    for (let i = 0; i < 1024; i++) {
      assert.ok(
        Math.abs(out[i] - input[b - 1][i]) < 1e-5,
        `block ${b} sample ${i}: ${out[i]} != ${input[b - 1][i]}`,
      );
    }
    checked++;
  }
  assert.equal(checked, seqs.length - 1);
});
