/**
 * Malformed AAC mid-stream: our RTMP client publishes ffmpeg's H.264 + AAC (a 1 kHz tone) in real
 * time, and from the 5th second to the 8th replaces every 5th AAC frame with garbage (all ones,
 * truncated frames, random bytes). A werift WHEP viewer plays it: the transcoder counts the bad
 * frames and logs one line, and the viewer's Opus goes on, with the tone, to the end.
 */
import assert from "node:assert/strict";
import type { Frame } from "../src/core/mod.ts";
import { OpusDecoder } from "../src/codecs/opus/mod.ts";
import { TsDemuxer } from "../src/formats/mpegts/mod.ts";
import { RtmpClient } from "../src/protocols/rtmp/mod.ts";
import type { TranscodedAudio } from "../src/transcode/mod.ts";
import { AAC, H264B, makeTs, requireTool, startTestServer, waitLive } from "./support/mod.ts";
import { whepWerift } from "./support/whep_werift.ts";
import { transcodeCodecs as loadTranscodeCodecs } from "../src/transcode/mod.ts";

// The transcoders load their codecs on first use; these tests feed them at once.
await loadTranscodeCodecs();

requireTool("ffmpeg");

const SECONDS = 12;
const BAD_FROM = 5, BAD_TO = 8;

/** The garbage that replaces the i-th corrupted frame (of a real frame `good`). */
function garbage(i: number, good: Uint8Array): Uint8Array {
  if (i % 3 === 0) return new Uint8Array(good.length).fill(0xff); // id_syn_ele END first: no audio element
  if (i % 3 === 1) return good.slice(0, 4); // truncated: reads run past the end
  const r = new Uint8Array(good.length);
  for (let k = 0, x = 12345 + i; k < r.length; k++) r[k] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return r;
}

/** Mean power (left channel) of each Opus packet, decoded in order. */
function powers(packets: Uint8Array[]): number[] {
  const dec = new OpusDecoder({ channels: 2 });
  try {
    return packets.map((p) => dec.decode(p)[0].reduce((a, v) => a + v * v, 0) / 960);
  } finally {
    dec.close();
  }
}

Deno.test("malformed AAC frames mid-stream: counted by the transcoder, the WHEP viewer's audio goes on", async () => {
  await using ts = await startTestServer({});
  const dir = await Deno.makeTempDir({ prefix: "estuary-badaac-" });
  const frames: Frame[] = [];
  try {
    const d = new TsDemuxer({ onTrack: () => {}, onFrame: (f) => frames.push(f) });
    d.push(await makeTs(`${dir}/src.ts`, SECONDS, [...H264B, ...AAC], "320x240"));
    d.flush();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const t0 = frames[0].dts / frames[0].track.clockRate;
  let bad = 0;
  const sent = frames.map((f): Frame => {
    const t = f.pts / f.track.clockRate - t0;
    if (f.track.codec !== "aac" || t < BAD_FROM || t >= BAD_TO) return f;
    const i = Math.round(t * f.track.clockRate / 1024);
    if (i % 5 !== 0) return f;
    return { ...f, data: garbage(bad++, f.data) };
  });

  const client = await RtmpClient.connect(ts.rtmp("/live/badaac"));
  await client.publish();
  const start = Date.now();
  const publishing = (async () => {
    for (const f of sent) {
      const wait = start + (f.dts / f.track.clockRate - t0) * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await client.write(f);
    }
  })();
  try {
    const stream = await waitLive(ts.hub, "live/badaac");
    await stream.tracksReady;
    const viewer = await whepWerift(ts.http("/whep/v1?app=live&name=badaac"));
    try {
      assert.equal(viewer.status, 201, viewer.error);
      assert.deepEqual(viewer.answered, { audio: true, video: true });
      await viewer.connected(15_000);
      await publishing;
      const transcoder = stream.outputs.peek<TranscodedAudio>("audio:opus:default")!;
      assert.ok(transcoder, `the stream's transcoder runs: ${stream.outputs.ids().join(", ")}`);
      // Everything published has been transcoded and sent once the counts stop moving.
      for (let seen = -1, i = 0; i < 20; i++) {
        const now = transcoder.stats.framesIn + viewer.audio.packets.length;
        if (now === seen) break;
        seen = now;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const stats = { ...transcoder.stats };
      // Audio RTP in media time (48 kHz, from the first packet), each packet once (NACKs repeat some).
      const bySeq = new Map<number, { t: number; data: Uint8Array }>();
      const first = viewer.audio.packets[0].packet.header;
      for (const { packet } of viewer.audio.packets) {
        const seq = ((packet.header.sequenceNumber - first.sequenceNumber + 0x8000) & 0xffff) - 0x8000;
        bySeq.set(seq, {
          t: ((packet.header.timestamp - first.timestamp) | 0) / 48000,
          data: packet.payload,
        });
      }
      const byRtp = [...bySeq.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
      const span = byRtp.at(-1)!.t + 0.02;
      const power = powers(byRtp.map((p) => p.data));
      const mean = (from: number, to: number) => {
        const sel = power.filter((_, i) => byRtp[i].t >= from && byRtp[i].t < to);
        return sel.reduce((a, b) => a + b, 0) / sel.length;
      };
      // The tone's power before the corruption (after the encoder's first second), and at the end.
      const before = mean(1, 2), tone = mean(span - 1.5, span);
      const gaps: string[] = [];
      for (let i = 1; i < byRtp.length; i++) {
        const d = byRtp[i].t - byRtp[i - 1].t;
        if (d > 0.021) gaps.push(`${(d * 1000).toFixed(0)} ms at ${byRtp[i - 1].t.toFixed(2)} s`);
      }
      const lines = ts.lines.filter((l) => l.includes("AAC frame skipped by the Opus transcoder"));
      console.log(
        `${bad} corrupted AAC frames sent; transcoder ${JSON.stringify(stats)}; viewer: ` +
          `${byRtp.length} Opus packets over ${span.toFixed(1)} s of media, ` +
          `${viewer.video.packets.length} video packets; tone power ${before.toFixed(4)} before the ` +
          `corruption, ${tone.toFixed(4)} in the last 1.5 s; packets lost: ${gaps.join(", ") || "none"}`,
      );
      assert.ok(bad >= 20, `only ${bad} frames corrupted`);
      // All-ones and truncated frames always fail; random bytes nearly always.
      const certain = Math.ceil(bad * 2 / 3);
      assert.ok(
        stats.errors >= certain - 1 && stats.errors <= bad,
        `${stats.errors} errors for ${bad} bad frames`,
      );
      assert.equal(lines.length, 1, "one log line");
      // The transcoder went on through the corruption to the end of the stream, with no hole in its
      // timeline: 20 ms frames for every source frame (1024 samples at 44.1 kHz).
      assert.equal(stats.restarts, 0);
      assert.ok(
        Math.abs(stats.framesOut - stats.framesIn * 1024 / 44100 / 0.02) <= 2,
        "Opus for every frame",
      );
      // The viewer heard it to the end. A niced test process on a loaded machine can stall for a
      // second or more, and its in-process werift receiver then loses runs of UDP packets (as many
      // without corrupt frames: measured); the runs are printed. At least half must arrive, with
      // audio in the last 1.5 s carrying the tone at its power from before the corruption.
      assert.ok(span > SECONDS - BAD_TO, `the viewer's audio spans ${span} s`);
      assert.ok(byRtp.length >= stats.framesOut * 0.5, "the viewer received the audio");
      assert.ok(power.filter((_, i) => byRtp[i].t >= span - 1.5).length >= 25, "audio in the last 1.5 s");
      assert.ok(
        before > 0 && Math.abs(10 * Math.log10(tone / before)) < 1,
        `the tone's power at the end ${tone} vs ${before}`,
      );
    } finally {
      await viewer.close();
    }
  } finally {
    await publishing.catch(() => {});
    await client.stop();
  }
});
