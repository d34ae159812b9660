import assert from "node:assert/strict";
import { Resampler } from "./resampler.ts";

function sine(rate: number, freq: number, n: number, offset = 0): Float32Array {
  return new Float32Array(n).map((_, i) => 0.5 * Math.sin((2 * Math.PI * freq * (i + offset)) / rate));
}

function snrDb(ref: Float32Array, test: Float32Array): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < ref.length; i++) {
    s += ref[i] ** 2;
    e += (ref[i] - test[i]) ** 2;
  }
  return 10 * Math.log10(s / e);
}

/** Resamples in uneven chunks, as frames of different codecs arrive. */
function run(r: Resampler, input: Float32Array): Float32Array {
  const parts: Float32Array[] = [];
  const sizes = [1024, 960, 7, 1, 2048, 333];
  for (let at = 0, i = 0; at < input.length; i++) {
    const n = Math.min(sizes[i % sizes.length], input.length - at);
    parts.push(r.process([input.subarray(at, at + n)])[0]);
    at += n;
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, o), o += p.length;
  return out;
}

const cases = [
  { from: 44100, to: 48000, freqs: [100, 1000, 9000, 18000] },
  { from: 48000, to: 44100, freqs: [100, 1000, 9000, 18000] },
  { from: 22050, to: 48000, freqs: [440, 5000, 9000] },
  { from: 8000, to: 48000, freqs: [300, 3000] },
  { from: 32000, to: 48000, freqs: [1000, 13000] },
];

for (const c of cases) {
  Deno.test(`Resampler ${c.from} → ${c.to}: passband sines come out exact (SNR ≥ 60 dB), delay compensated`, () => {
    for (const f of c.freqs) {
      const r = new Resampler(c.from, c.to, 1);
      const input = sine(c.from, f, c.from); // one second
      const out = run(r, input);
      // One second in, one second out (the start position may add one sample).
      assert.ok(Math.abs(out.length - c.to) <= 1, `${out.length} samples out`);
      // Output sample n is the input at time (n − delay)/to; skip the filter's start-up.
      const skip = Math.ceil(2 * r.delay) + 1;
      const n = out.length - 2 * skip;
      const got = out.subarray(skip, skip + n);
      const want = sine(c.to, f, n, skip - r.delay);
      const snr = snrDb(want, got);
      assert.ok(snr >= 60, `${f} Hz: SNR ${snr.toFixed(1)} dB`);
    }
  });
}

Deno.test("Resampler 48000 → 44100: a tone above the output's Nyquist frequency is removed", () => {
  const r = new Resampler(48000, 44100, 1);
  const out = run(r, sine(48000, 23000, 48000));
  let e = 0;
  for (let i = 1000; i < out.length; i++) e += out[i] ** 2;
  const rms = Math.sqrt(e / (out.length - 1000));
  assert.ok(20 * Math.log10(rms / (0.5 / Math.SQRT2)) < -60, `residual ${rms}`);
});

Deno.test("Resampler: stereo channels are independent; bad rates are refused", () => {
  const r = new Resampler(44100, 48000, 2);
  const [a, b] = r.process([new Float32Array(441).fill(0.25), new Float32Array(441)]);
  assert.ok(Math.abs(a.length - 480) <= 1);
  assert.ok(b.every((v) => v === 0));
  assert.throws(() => new Resampler(0, 48000, 1), /rates 0 → 48000 are invalid/);
  assert.throws(() => new Resampler(44101, 48000, 1), /needs 48000 phases/);
});
