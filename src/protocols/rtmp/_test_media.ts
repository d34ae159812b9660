/** Tracks and frames from the codec fixtures, for this folder's unit tests. */
import { aacTrack, buildAsc, h264Track, h265Track, joinAvcc, splitAnnexB } from "../../codecs/mod.ts";
import type { Frame } from "../../core/frame.ts";
import { Stream } from "../../core/stream.ts";
import type { AacTrack, H264Track, H265Track } from "../../core/track.ts";

const fixture = (name: string) =>
  Deno.readFileSync(new URL(`../../codecs/testdata/${name}`, import.meta.url));

export function h264(): H264Track {
  const nals = splitAnnexB(fixture("h264_640x360_high_30.h264"));
  return h264Track(nals.find((n) => (n[0] & 0x1f) === 7)!, [nals.find((n) => (n[0] & 0x1f) === 8)!]);
}

export function h265(): H265Track {
  const nals = splitAnnexB(fixture("h265_320x240_main_30.h265"));
  const of = (t: number) => nals.find((n) => ((n[0] >> 1) & 0x3f) === t)!;
  return h265Track(of(32), of(33), [of(34)]);
}

export function aac(): AacTrack {
  return aacTrack(buildAsc({ objectType: 2, sampleRate: 44100, channels: 2 }));
}

/**
 * Video frames with B-frame style composition offsets, and AAC frames, interleaved by time, on
 * whole milliseconds (30 ms apart) so that they survive RTMP's millisecond timestamps exactly.
 */
export function frames(video: H264Track | H265Track, audio: AacTrack, n = 10): Frame[] {
  const out: Frame[] = [];
  for (let i = 0; i < n; i++) {
    const dts = i * 2700;
    const data = joinAvcc([Uint8Array.of(video.codec === "h264" ? 0x65 : 0x26, 1, i, 3, 4)]);
    out.push({ track: video, dts, pts: dts + (i % 3) * 2700, key: i % 5 === 0, data });
    const a = i * 1323;
    out.push({ track: audio, dts: a, pts: a, key: true, data: Uint8Array.of(0x21, i, 7) });
  }
  return out;
}

export function testStream(name = "t"): Stream {
  return new Stream({
    app: "live",
    name,
    vhost: "v",
    info: { from: "test" },
    gop: { enabled: true, maxFrames: 100, maxBytes: 1 << 20 },
  });
}
