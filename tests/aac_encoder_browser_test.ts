/**
 * Chromium decodes our AAC encoder's ADTS: `decodeAudioData` in headless Chromium (playwright-core,
 * system chromium) on a stereo 48 kHz stream and a mono 44.1 kHz one, asserting the decoded duration,
 * the channel count, and that the energy matches the input's.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { encodeAdts } from "../src/codecs/aac/_ffmpeg_test_util.ts";
import { signal, type SignalKind } from "../src/codecs/_audio_test_util.ts";
import { CHROMIUM_ARGS, requireTool } from "./support/mod.ts";

requireTool("chromium");

/** The Web Audio API as this page uses it (Deno's types do not include it). */
interface AudioBufferLike {
  duration: number;
  numberOfChannels: number;
  sampleRate: number;
  getChannelData(ch: number): Float32Array;
}
type OfflineContext = new (channels: number, length: number, rate: number) => {
  decodeAudioData(data: ArrayBuffer): Promise<AudioBufferLike>;
};

interface Decoded {
  duration: number;
  channels: number;
  rate: number;
  rms: number;
}

Deno.test("Chromium's decodeAudioData decodes our AAC (ADTS): duration, channels and energy", async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const cases: { kind: SignalKind; rate: number; channels: number }[] = [
      { kind: "music", rate: 48000, channels: 2 },
      { kind: "speech", rate: 44100, channels: 1 },
    ];
    for (const c of cases) {
      const seconds = 3;
      const pcm = signal(c.kind, c.rate, c.channels, seconds);
      const { adts, encoder } = encodeAdts(pcm, { rate: c.rate, channels: c.channels });
      const decoded: Decoded = await page.evaluate(async ({ bytes, rate, channels }) => {
        const Ctx = (globalThis as unknown as { OfflineAudioContext: OfflineContext }).OfflineAudioContext;
        const ctx = new Ctx(channels, rate, rate);
        const buf = await ctx.decodeAudioData(new Uint8Array(bytes).buffer);
        let sum = 0, n = 0;
        for (let ch = 0; ch < buf.numberOfChannels; ch++) {
          for (const v of buf.getChannelData(ch)) sum += v * v, n++;
        }
        return {
          duration: buf.duration,
          channels: buf.numberOfChannels,
          rate: buf.sampleRate,
          rms: Math.sqrt(sum / n),
        };
      }, { bytes: Array.from(adts), rate: c.rate, channels: c.channels });
      let sum = 0;
      for (const v of pcm) sum += v * v;
      const inputRms = Math.sqrt(sum / pcm.length);
      const frames = encoder.stats.frames;
      console.log(
        `${c.kind} ${c.rate} Hz ${c.channels} ch: Chromium decoded ${decoded.duration.toFixed(3)} s ` +
          `(${frames} frames), RMS ${decoded.rms.toFixed(4)} vs input ${inputRms.toFixed(4)}`,
      );
      assert.equal(decoded.channels, c.channels);
      assert.equal(decoded.rate, c.rate);
      // Every frame decoded (a decoder may trim its start-up samples: within two frames).
      const full = (frames * 1024) / c.rate;
      assert.ok(
        decoded.duration <= full + 1e-6 && decoded.duration >= full - 2048 / c.rate,
        `${decoded.duration} s`,
      );
      // The same energy: the input over its length, the decoded over a little more (the delay's silence).
      const ratioDb = 20 * Math.log10(decoded.rms * Math.sqrt(decoded.duration / seconds) / inputRms);
      assert.ok(Math.abs(ratioDb) < 1, `decoded energy ${ratioDb.toFixed(2)} dB off the input's`);
    }
  } finally {
    await browser.close();
  }
});
