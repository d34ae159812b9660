// Test helpers shared by the audio codec tests (not part of the public API): synthetic signals,
// running ffmpeg as the reference, and the comparison.

export type SignalKind = "sweep" | "bursts" | "speech" | "music" | "noise";

/** Throws when ffmpeg is not installed: these tests never skip silently. */
export function requireFfmpeg(): void {
  let ok = false;
  try {
    ok =
      new Deno.Command("ffmpeg", { args: ["-version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`required test tool "ffmpeg" is not installed`);
}

function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    return ((s >>> 8) / 0x800000) - 1;
  };
}

/** Interleaved Float32 PCM of a synthetic test signal; each channel differs. */
export function signal(kind: SignalKind, rate: number, channels: number, seconds: number): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n * channels);
  for (let c = 0; c < channels; c++) {
    const rnd = prng(1 + c * 7919);
    const x = channelSignal(kind, rate, n, c, rnd);
    for (let i = 0; i < n; i++) out[i * channels + c] = x[i];
  }
  return out;
}

function channelSignal(
  kind: SignalKind,
  rate: number,
  n: number,
  c: number,
  rnd: () => number,
): Float32Array {
  const x = new Float32Array(n);
  const top = rate * 0.45;
  switch (kind) {
    case "sweep": {
      // Logarithmic sine sweep 40 Hz → 0.45·rate; the second channel sweeps down.
      const f0 = 40, f1 = top, T = n / rate;
      const k = Math.log(f1 / f0);
      for (let i = 0; i < n; i++) {
        const t = (c === 0 ? i : n - 1 - i) / rate;
        x[i] = 0.5 * Math.sin(((2 * Math.PI * f0 * T) / k) * (Math.exp((t / T) * k) - 1));
      }
      break;
    }
    case "bursts": {
      // Silence with 20 ms bursts of noise every 200 ms: attacks that force short windows.
      const period = Math.round(rate * 0.2), len = Math.round(rate * 0.02);
      const shift = c * Math.round(rate * 0.05);
      for (let i = 0; i < n; i++) {
        const p = (i + shift) % period;
        x[i] = p < len ? 0.6 * rnd() * Math.exp(-p / (len / 3)) : 0.002 * Math.sin(i * 0.05);
      }
      break;
    }
    case "noise": {
      for (let i = 0; i < n; i++) x[i] = 0.3 * rnd();
      break;
    }
    case "speech": {
      // A glottal pulse train with a wandering pitch through three formant resonators, in syllables.
      const formants = [[700, 130], [1220, 70], [2600, 160]].map(([f, bw]) => {
        const r = Math.exp((-Math.PI * bw) / rate);
        return { a1: 2 * r * Math.cos((2 * Math.PI * f * (1 + 0.1 * c)) / rate), a2: -r * r, y1: 0, y2: 0 };
      });
      let phase = 0;
      for (let i = 0; i < n; i++) {
        const t = i / rate;
        const f0 = 120 + 40 * Math.sin(2 * Math.PI * 0.7 * t) + 20 * c;
        phase += f0 / rate;
        let e = 0;
        if (phase >= 1) phase -= 1, e = 1;
        e += 0.05 * rnd();
        let y = e;
        for (const f of formants) {
          const v = y + f.a1 * f.y1 + f.a2 * f.y2;
          f.y2 = f.y1, f.y1 = v, y = v;
        }
        const syllable = Math.max(0, Math.sin(2 * Math.PI * 3.5 * t + c));
        x[i] = y * syllable;
      }
      let peak = 0;
      for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(x[i]));
      for (let i = 0; i < n; i++) x[i] *= 0.5 / (peak || 1);
      break;
    }
    case "music": {
      // Notes of a few harmonics with decaying envelopes every 250 ms, and a soft hi-hat.
      const notes = [220, 277.18, 329.63, 440, 369.99, 293.66, 246.94, 392];
      const step = Math.round(rate * 0.25);
      for (let i = 0; i < n; i++) {
        const note = Math.floor(i / step);
        const t = (i % step) / rate;
        const f = notes[(note + c * 3) % notes.length];
        let v = 0;
        for (let h = 1; h <= 6 && f * h < top; h++) v += Math.sin(2 * Math.PI * f * h * t) / h;
        v *= 0.25 * Math.exp(-t * 6);
        if (note % 2 === 1) v += 0.05 * rnd() * Math.exp(-t * 60);
        x[i] = v;
      }
      break;
    }
  }
  return x;
}

export async function ffmpeg(args: string[], input: Uint8Array): Promise<Uint8Array> {
  const p = new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = p.stdin.getWriter();
  const writing = w.write(input).then(() => w.close());
  const [out] = await Promise.all([p.output(), writing]);
  if (!out.success) {
    throw new Error(`ffmpeg ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout;
}

/** Signal-to-noise ratio of `test` against `ref` in dB over their common length. */
export function snrDb(ref: Float32Array, test: Float32Array): number {
  const n = Math.min(ref.length, test.length);
  let s = 0;
  let e = 0;
  for (let i = 0; i < n; i++) {
    s += ref[i] * ref[i];
    const d = ref[i] - test[i];
    e += d * d;
  }
  return e === 0 ? Infinity : 10 * Math.log10(s / e);
}
