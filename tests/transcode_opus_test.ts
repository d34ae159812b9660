/**
 * AAC → Opus on a live stream of the real server: ffmpeg publishes H.264 + AAC (a 1 kHz tone) over
 * RTMP, and the stream's audio is taken as Opus through `audioAs` (the seam WebRTC outputs use).
 */
import assert from "node:assert/strict";
import type { Frame } from "../src/core/mod.ts";
import { OpusDecoder } from "../src/codecs/opus/mod.ts";
import { audioAs } from "../src/transcode/mod.ts";
import { AAC, ffmpegPublish, H264B, requireTool, startTestServer, waitFor, waitLive } from "./support/mod.ts";
import { transcodeCodecs as loadTranscodeCodecs } from "../src/transcode/mod.ts";

// The transcoders load their codecs on first use; these tests feed them at once.
await loadTranscodeCodecs();

requireTool("ffmpeg");

/** Power of `x` at `freq` relative to its total power (Goertzel), in dB. */
function toneDb(x: Float32Array, rate: number, freq: number): number {
  const w = (2 * Math.PI * freq) / rate;
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (const v of x) {
    const s = v + 2 * Math.cos(w) * s1 - s2;
    s2 = s1;
    s1 = s;
    total += v * v;
  }
  const power = (s1 * s1 + s2 * s2 - 2 * Math.cos(w) * s1 * s2) * 2 / x.length;
  return 10 * Math.log10(power / total);
}

Deno.test("an RTMP AAC publisher is transcoded to Opus: 20 ms frames on the source's timeline, the tone intact", async () => {
  await using ts = await startTestServer({});
  const pub = ffmpegPublish({
    url: ts.rtmp("/live/opus"),
    format: "flv",
    seconds: 8,
    video: H264B,
    audio: AAC,
  });
  try {
    const stream = await waitLive(ts.hub, "live/opus");
    const aacStarts: number[] = [];
    const tap = stream.addReader((frames) => {
      for (const f of frames) if (f.track.kind === "audio") aacStarts.push(f.pts / f.track.clockRate);
    });
    const lease = audioAs(stream, "opus");
    const out: Frame[] = [];
    lease.value.onFrame((f) => out.push(f));
    await waitFor(() => out.length >= 100, 15_000, "two seconds of Opus");
    lease.release();
    tap.close("done");
    assert.equal(stream.outputs.size, 0, "the last release stopped the transcoder");
    assert.equal(lease.value.stats.errors, 0);

    assert.equal(out[0].track.codec, "opus");
    assert.equal(out[0].track.channels, 2);
    for (let i = 1; i < out.length; i++) assert.equal(out[i].pts - out[i - 1].pts, 960, `frame ${i}`);
    // The first Opus frame starts at the time of an AAC frame of the source (its first one here).
    const first = out[0].pts / 48000;
    assert.ok(
      aacStarts.some((t) => Math.abs(t - first) < 0.001),
      `Opus starts at ${first} s on the source's clock`,
    );

    const dec = new OpusDecoder({ channels: 2 });
    const pcm = out.slice(10, 100).flatMap((f) => Array.from(dec.decode(f.data)[0]));
    dec.close();
    const tone = toneDb(Float32Array.from(pcm), 48000, 1000);
    assert.ok(tone > -1, `the 1 kHz tone carries ${tone.toFixed(2)} dB of the decoded power`);
  } finally {
    await pub.stop();
  }
});
