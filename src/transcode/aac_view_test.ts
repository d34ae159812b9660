import assert from "node:assert/strict";
import { type Frame, type H264Track, Stream } from "../core/mod.ts";
import { opusTrack } from "../codecs/mod.ts";
import { OpusEncoder } from "../codecs/opus/mod.ts";
import { signal } from "../codecs/_audio_test_util.ts";
import { createLogger, MemorySink } from "../log/mod.ts";
import { aacOutput, aacTrackFor, aacView, aacViewId, hasAacView, needsAacView, transcoderId } from "./mod.ts";
import { transcodeCodecs as loadTranscodeCodecs } from "./mod.ts";

// The transcoders load their codecs on first use; these tests feed them at once.
await loadTranscodeCodecs();

function newStream(): Stream {
  return new Stream({
    app: "live",
    name: "v",
    vhost: "h",
    info: { from: "test" },
    gop: { enabled: true, maxFrames: 1000, maxBytes: 1 << 24 },
  });
}

const video: H264Track = {
  kind: "video",
  codec: "h264",
  clockRate: 90000,
  width: 16,
  height: 16,
  fps: 25,
  sps: new Uint8Array([0x67, 0x42, 0, 0x1e]),
  pps: [new Uint8Array([0x68])],
  profile: 0x42,
  compat: 0,
  level: 0x1e,
};

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

Deno.test("AAC view: the source's video and its Opus as AAC, tracks announced up front, one track object, ends with the source", async () => {
  const source = newStream();
  const opus = opusTrack(2);
  source.setTrack(video);
  source.setTrack(opus);
  assert.ok(needsAacView(source));
  const lease = aacView(source);
  const view = lease.value.stream;
  assert.equal(view.key, source.key);
  assert.equal(view.videoTrack, video);
  const announced = view.audioTrack;
  assert.equal(announced?.codec, "aac");
  assert.equal(announced?.sampleRate, 48000);
  assert.equal(announced?.channels, 2);
  assert.ok(view.isTracksReady, "outputs waiting for the tracks start at once");
  assert.equal(aacView(source).value, lease.value, "one view per source");

  const got: Frame[] = [];
  view.addReader((frames) => void got.push(...frames));
  const enc = new OpusEncoder({ channels: 2, sampleRate: 48000, bitrate: 96000 });
  const pcm = signal("music", 48000, 2, 1);
  for (let i = 0; i < 50; i++) {
    if (i % 25 === 0) {
      const pts = (i * 960 * 90000) / 48000;
      source.write({ track: video, dts: pts, pts, key: true, data: new Uint8Array(8) });
    }
    const planes = [0, 1].map((c) =>
      Float32Array.from({ length: 960 }, (_, k) => pcm[(i * 960 + k) * 2 + c])
    );
    source.write({ track: opus, dts: i * 960, pts: i * 960, key: true, data: enc.encode(planes) });
  }
  enc.close();
  await until(() => got.filter((f) => f.track.kind === "audio").length >= 40, "AAC frames on the view");
  assert.equal(got.filter((f) => f.track.kind === "video").length, 2, "the video passes through");
  const audio = got.filter((f) => f.track.kind === "audio");
  assert.ok(audio.every((f) => f.track === announced), "every AAC frame carries the announced track");
  assert.ok(!got.some((f) => f.track.codec === "opus"), "no Opus on the view");

  source.end("test over");
  await until(() => view.isEnded, "the view ends with its source");
  assert.equal(hasAacView(source), false);
});

Deno.test("aacOutput: the view at the configured bitrate (one per bitrate), the source itself with transcoding off (one log line per call), AAC sources as they are", () => {
  const source = newStream();
  source.setTrack(video);
  source.setTrack(opusTrack(2));
  const sink = new MemorySink();
  const log = createLogger({ sinks: [sink] });

  const a = aacOutput(source, { bitrate: 64_000 }, log);
  assert.ok(a.view);
  assert.notEqual(a.stream, source);
  assert.equal(a.stream.audioTrack?.codec, "aac");
  assert.ok(source.outputs.has(aacViewId(64_000)));
  assert.ok(source.outputs.has(transcoderId("aac", 64_000)));
  assert.equal(
    aacOutput(source, { bitrate: 64_000 }, log).view?.value,
    a.view.value,
    "shared at one bitrate",
  );
  // A reload to another bitrate: players after it share a new view; the running one stays.
  const b = aacOutput(source, { bitrate: 96_000 }, log);
  assert.notEqual(b.view?.value, a.view.value);
  assert.ok(source.outputs.has(aacViewId(96_000)) && source.outputs.has(aacViewId(64_000)));

  const off = aacOutput(source, null, log);
  assert.equal(off.stream, source);
  assert.equal(off.view, undefined);
  const lines = sink.lines.filter((l) => l.includes("transcoding is off"));
  assert.equal(lines.length, 1, sink.lines.join("\n"));
  assert.match(lines[0], /Opus/);

  const aacSource = newStream();
  aacSource.setTrack(aacTrackFor({ channels: 2 }));
  assert.deepEqual(aacOutput(aacSource, null, log), { stream: aacSource, view: undefined });
  assert.deepEqual(aacOutput(aacSource, {}, log), { stream: aacSource, view: undefined });
  assert.equal(
    sink.lines.filter((l) => l.includes("transcoding is off")).length,
    1,
    "no line for AAC sources",
  );
  source.end("test over");
  assert.equal(hasAacView(source), false);
});
