/**
 * A/V sync of AAC → Opus as a WebRTC viewer sees it. ffmpeg publishes over RTMP a black video with a
 * white frame every second and AAC audio with a 1 kHz beep starting at the same instants. A werift
 * WHEP viewer in the test process keeps the RTP packets and the RTCP sender reports. The beeps are
 * found in the Opus decoded by our decoder (placed at their RTP timestamps), the white frames in the
 * H.264 decoded by ffmpeg; each onset is mapped to the sender's clock through its track's sender
 * report, as a browser does for lip sync. Every beep must sit within 20 ms of its flash.
 */
import assert from "node:assert/strict";
import type { RtpPacket } from "werift";
import { OpusDecoder } from "../src/codecs/opus/mod.ts";
import { H264Unpacker } from "../src/formats/rtp/mod.ts";
import { requireTool, run, spawnBackground, startTestServer, waitFor, waitLive } from "./support/mod.ts";
import { type SenderReport, whepWerift } from "./support/whep_werift.ts";

requireTool("ffmpeg");

const FPS = 30;

function publish(url: string, seconds: number) {
  return spawnBackground("ffmpeg", [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", "-re"],
    // Frame N is white when N is a multiple of 30 (t = 0, 1, 2 … s), black otherwise.
    ...[
      "-f",
      "lavfi",
      "-i",
      `nullsrc=size=320x240:rate=${FPS},geq=lum='if(eq(mod(N\\,${FPS})\\,0)\\,235\\,16)':cb=128:cr=128`,
    ],
    // A 100 ms beep at the start of every second (t = 0, 1, 2 … s, exact at 44.1 kHz).
    ...["-f", "lavfi", "-i", "aevalsrc='if(lt(mod(t\\,1)\\,0.1)\\,0.8*sin(2*PI*1000*t)\\,0)':s=44100"],
    ...["-t", String(seconds)],
    ...["-c:v", "libx264", "-profile:v", "baseline", "-preset", "veryfast", "-tune", "zerolatency"],
    ...["-pix_fmt", "yuv420p", "-g", String(FPS), "-bf", "0"],
    ...["-c:a", "aac", "-b:a", "128k", "-ar", "44100", "-ac", "2"],
    ...["-f", "flv", url],
  ]);
}

/** Packets in sequence order, each once (NACK retransmissions repeat some). */
function ordered(packets: { packet: RtpPacket }[]): RtpPacket[] {
  const bySeq = new Map<number, RtpPacket>();
  const first = packets[0].packet.header.sequenceNumber;
  for (const { packet } of packets) {
    // Sequence numbers relative to the first one (wrap-safe over a few thousand packets).
    const rel = ((packet.header.sequenceNumber - first + 0x8000) & 0xffff) - 0x8000;
    if (!bySeq.has(rel)) bySeq.set(rel, packet);
  }
  return [...bySeq.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
}

/** Seconds on the sender's clock of RTP time `ts`, through a sender report (32-bit wrap-safe). */
function senderTime(sr: SenderReport, ts: number, clockRate: number): number {
  return sr.ntp + ((ts - sr.rtp) | 0) / clockRate;
}

/** RTP timestamps of the beep onsets: the first sample above a quarter of the beep's amplitude. */
function beepOnsets(packets: RtpPacket[]): number[] {
  const dec = new OpusDecoder({ channels: 2 });
  const onsets: number[] = [];
  let last = -Infinity;
  try {
    for (const p of packets) {
      const left = dec.decode(p.payload)[0];
      for (let i = 0; i < left.length; i++) {
        const ts = p.header.timestamp + i;
        if (Math.abs(left[i]) > 0.2 && ts - last > 48000 / 2) {
          onsets.push(ts);
          last = ts;
        }
      }
    }
  } finally {
    dec.close();
  }
  return onsets;
}

/** RTP timestamps of the white frames that follow a black one, decoded by ffmpeg. */
async function flashes(packets: RtpPacket[]): Promise<{ onsets: number[]; frames: number }> {
  const unpacker = new H264Unpacker();
  const units: { ts: number; nals: Uint8Array[] }[] = [];
  for (const p of packets) {
    let unit = units.at(-1);
    if (!unit || unit.ts !== p.header.timestamp) units.push(unit = { ts: p.header.timestamp, nals: [] });
    unpacker.push(p.payload, unit.nals);
  }
  const parts: number[] = [];
  for (const u of units) for (const n of u.nals) parts.push(0, 0, 0, 1, ...n);
  const dir = await Deno.makeTempDir({ prefix: "estuary-avsync-" });
  try {
    await Deno.writeFile(`${dir}/v.h264`, Uint8Array.from(parts));
    // One 8×8 grey picture per decoded frame, in decode order (no B-frames: also presentation order).
    const r = await run("ffmpeg", [
      ...["-nostdin", "-hide_banner", "-loglevel", "error", "-f", "h264", "-i", `${dir}/v.h264`],
      ...["-fps_mode", "passthrough", "-vf", "scale=8:8,format=gray", "-f", "rawvideo", `${dir}/v.gray`],
    ], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const gray = await Deno.readFile(`${dir}/v.gray`);
    const frames = gray.length / 64;
    assert.equal(frames, units.length, "ffmpeg decoded every access unit (so frame i is access unit i)");
    const luma = (i: number) => gray.subarray(i * 64, i * 64 + 64).reduce((a, b) => a + b, 0) / 64;
    const onsets: number[] = [];
    for (let i = 1; i < frames; i++) if (luma(i) > 128 && luma(i - 1) < 64) onsets.push(units[i].ts);
    return { onsets, frames };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("AAC → Opus over WHEP: every beep within 20 ms of its video flash, through the RTCP sender reports", async () => {
  await using ts = await startTestServer({});
  const pub = publish(ts.rtmp("/live/sync"), 30);
  try {
    const stream = await waitLive(ts.hub, "live/sync");
    await stream.tracksReady;
    const viewer = await whepWerift(ts.http("/whep/v1?app=live&name=sync"));
    try {
      assert.equal(viewer.status, 201, viewer.error);
      await viewer.connected(15_000);
      // Eight seconds of media, and sender reports of both tracks from after it.
      await waitFor(() => viewer.audio.packets.length >= 400, 30_000, "8 s of audio");
      const srFrom = { audio: viewer.audio.srs.length, video: viewer.video.srs.length };
      await waitFor(
        () => viewer.audio.srs.length > srFrom.audio && viewer.video.srs.length > srFrom.video,
        10_000,
        "sender reports of both tracks",
      );
      const audio = ordered(viewer.audio.packets);
      const video = ordered(viewer.video.packets);
      const beeps = beepOnsets(audio);
      const flash = await flashes(video);
      const srA = viewer.audio.srs.at(-1)!, srV = viewer.video.srs.at(-1)!;
      const offsets: number[] = [];
      for (const b of beeps) {
        const tb = senderTime(srA, b, 48000);
        const tf = flash.onsets.map((f) => senderTime(srV, f, 90000));
        const nearest = tf.reduce((a, t) => Math.abs(t - tb) < Math.abs(a - tb) ? t : a, Infinity);
        // Beeps past either end of the video have no flash of their own.
        if (Math.abs(tb - nearest) < 0.5) offsets.push((tb - nearest) * 1000);
      }
      console.log(
        `${beeps.length} beeps in ${audio.length} Opus packets, ${flash.onsets.length} flashes in ${flash.frames} ` +
          `frames; audio − video per beep (ms): ${offsets.map((o) => o.toFixed(1)).join(", ")}`,
      );
      assert.ok(beeps.length >= 6 && flash.onsets.length >= 6, "at least six beeps and six flashes");
      assert.ok(offsets.length >= 6);
      for (const o of offsets) assert.ok(Math.abs(o) <= 20, `a beep ${o.toFixed(1)} ms off its flash`);
    } finally {
      await viewer.close();
    }
  } finally {
    await pub.stop();
  }
});
