import assert from "node:assert/strict";
import { downmix, mappedChannels } from "./downmix.ts";

const plane = (v: number) => new Float32Array(4).fill(v);

Deno.test("downmix: mono and stereo pass through unchanged", () => {
  const m = [plane(0.5)];
  assert.equal(downmix(m)[0], m[0]);
  const s = [plane(0.1), plane(0.2)];
  assert.deepEqual(downmix(s), s);
  assert.equal(mappedChannels(1), 1);
  assert.equal(mappedChannels(6), 2);
});

Deno.test("downmix: 5.1 (C L R Ls Rs LFE) folds centre and surrounds at −3 dB, drops LFE, never clips", () => {
  const [l, r] = downmix([plane(0), plane(1), plane(0), plane(0), plane(0), plane(1)]);
  const g = 1 / (1 + 2 * Math.SQRT1_2);
  assert.ok(Math.abs(l[0] - g) < 1e-6, `left ${l[0]}`);
  assert.equal(r[0], 0, "LFE is dropped and L stays left");
  const [fl, fr] = downmix([plane(1), plane(1), plane(1), plane(1), plane(1), plane(1)]);
  assert.ok(Math.abs(fl[0] - 1) < 1e-6 && Math.abs(fr[0] - 1) < 1e-6, "full scale everywhere stays ≤ 1");
});

Deno.test("downmix: 4 channels (C L R Cs) put the back centre in both sides", () => {
  const [l, r] = downmix([plane(0), plane(0), plane(0), plane(1)]);
  assert.ok(l[0] > 0 && Math.abs(l[0] - r[0]) < 1e-9);
});
