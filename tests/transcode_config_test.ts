/**
 * The audio transcoding settings on the real server, seen by a WHEP viewer (werift): `<rtc><transcode>`
 * off leaves an AAC source's audio out (video only, one log line saying why), and `<rtc><opusbitrate>`
 * sets the bitrate of the Opus the viewers receive, a reload reaching the viewers that come after it.
 */
import assert from "node:assert/strict";
import { isTranscoding, type TranscodedAudio } from "../src/transcode/mod.ts";
import { H264B, requireTool, spawnBackground, startTestServer, waitFor, waitLive } from "./support/mod.ts";
import { whepWerift } from "./support/whep_werift.ts";

requireTool("ffmpeg");

/** ffmpeg publishing H.264 + AAC (44.1 kHz stereo) of `audio` (a lavfi source) over RTMP, in real time. */
function publish(url: string, seconds: number, audio: string) {
  return spawnBackground("ffmpeg", [
    "-nostdin",
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x240:rate=30",
    "-f",
    "lavfi",
    "-i",
    audio,
    "-t",
    String(seconds),
    ...H264B,
    "-c:a",
    "aac",
    "-b:a",
    "128k",
    "-ar",
    "44100",
    "-ac",
    "2",
    "-f",
    "flv",
    url,
  ]);
}

Deno.test("rtc/transcode off: an AAC source plays over WHEP as video only, with one line saying why", async () => {
  await using ts = await startTestServer({ rtc: { transcode: false } });
  const pub = publish(ts.rtmp("/live/notrans"), 20, "sine=frequency=1000:sample_rate=44100");
  try {
    const stream = await waitLive(ts.hub, "live/notrans");
    await stream.tracksReady;
    const viewer = await whepWerift(ts.http("/whep/v1?app=live&name=notrans"));
    try {
      assert.equal(viewer.status, 201, viewer.error);
      assert.deepEqual(viewer.answered, { video: true, audio: false });
      await viewer.connected(15_000);
      await waitFor(() => viewer.video.packets.length >= 100, 15_000, "video packets");
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(viewer.audio.packets.length, 0, "no audio RTP");
      assert.ok(!isTranscoding(stream, "opus"), `no transcoder runs: ${stream.outputs.ids().join(", ")}`);
      const why = ts.lines.filter((l) => l.includes("audio transcoding is off"));
      assert.equal(why.length, 1, why.join("\n"));
      assert.match(why[0], /webrtc media left out.*the source audio is AAC and audio transcoding is off/);
      console.log(
        `video only: ${viewer.video.packets.length} video packets, 0 audio; "${why[0].slice(0, 160)}"`,
      );
    } finally {
      await viewer.close();
    }
  } finally {
    await pub.stop();
  }
});

/** Opus payload kbit/s a viewer received over `ms`, after `settleMs` (the encoder's first frames). */
async function measureKbps(ts: { http(p: string): string }, name: string, settleMs: number, ms: number) {
  const viewer = await whepWerift(ts.http(`/whep/v1?app=live&name=${name}`));
  assert.equal(viewer.status, 201, viewer.error);
  await viewer.connected(15_000);
  await waitFor(() => viewer.audio.packets.length > 0, 15_000, "audio packets");
  await new Promise((r) => setTimeout(r, settleMs));
  const from = viewer.audio.packets.length;
  await new Promise((r) => setTimeout(r, ms));
  // Each packet once (a NACK may repeat one), each 20 ms of media: the bitrate is the mean packet
  // size × 50 per second, whatever UDP lost on the way in this loaded process.
  const got = new Map(
    viewer.audio.packets.slice(from).map((p) => [p.packet.header.sequenceNumber, p.packet]),
  );
  // TOC config 16–31 is CELT; config % 4 = 3 is 20 ms (RFC 6716 §3.1).
  const celt20 = (p: { payload: Uint8Array }) => p.payload[0] >> 3 >= 16 && ((p.payload[0] >> 3) & 3) === 3;
  assert.ok([...got.values()].every(celt20), "20 ms CELT frames");
  const bytes = [...got.values()].reduce((n, p) => n + p.payload.byteLength, 0);
  return { viewer, kbps: bytes / got.size * 8 * 50 / 1000, packets: got.size };
}

Deno.test("rtc/opusbitrate: the Opus a WHEP viewer receives follows it, and a reload reaches new viewers", async () => {
  await using ts = await startTestServer({ rtc: { opusbitrate: 32 } });
  // Noise: the VBR encoder needs all the bits it is given, so the rate it sends is the one it was set to.
  const pub = publish(ts.rtmp("/live/rate"), 40, "anoisesrc=color=pink:sample_rate=44100:amplitude=0.5");
  try {
    const stream = await waitLive(ts.hub, "live/rate");
    await stream.tracksReady;
    const low = await measureKbps(ts, "rate", 1000, 5000);
    await ts.reload({ rtc: { opusbitrate: 128 } });
    const high = await measureKbps(ts, "rate", 1000, 5000);
    try {
      const a = stream.outputs.peek<TranscodedAudio>("audio:opus:32000");
      const b = stream.outputs.peek<TranscodedAudio>("audio:opus:128000");
      assert.ok(a && b, `one transcoder per bitrate: ${stream.outputs.ids().join(", ")}`);
      console.log(
        `opusbitrate 32: ${
          low.kbps.toFixed(1)
        } kbit/s received (${low.packets} packets); after the reload to ` +
          `128, a new viewer: ${high.kbps.toFixed(1)} kbit/s (${high.packets}); transcoders: 32k ` +
          `${JSON.stringify(a.stats)}, 128k ${JSON.stringify(b.stats)}`,
      );
      assert.ok(low.kbps > 32 * 0.7 && low.kbps < 32 * 1.3, `32 kbit/s set, ${low.kbps} received`);
      assert.ok(high.kbps > 128 * 0.7 && high.kbps < 128 * 1.3, `128 kbit/s set, ${high.kbps} received`);
      assert.equal(a.stats.errors + b.stats.errors, 0);
    } finally {
      await low.viewer.close();
      await high.viewer.close();
    }
  } finally {
    await pub.stop();
  }
});
