/**
 * Seed material shared by the targets: the tracks and frames of the codec fixtures the table tests
 * use, and their testdata files, read once.
 */
import type { Frame, Track } from "../core/mod.ts";
import {
  aacTrack,
  buildAsc,
  g711Track,
  h264Track,
  h265Track,
  joinAvcc,
  opusTrack,
  splitAnnexB,
} from "../codecs/mod.ts";

export function testdata(path: string, max = Infinity): Uint8Array {
  const b = Deno.readFileSync(new URL(`../${path}`, import.meta.url));
  return b.subarray(0, Math.min(max, b.length));
}

function annexB(path: string, codec: "h264" | "h265"): { nals: Uint8Array[]; aus: Uint8Array[][] } {
  const nals = splitAnnexB(testdata(path));
  const aus: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  for (const n of nals) {
    cur.push(n);
    const vcl = codec === "h264" ? [1, 5].includes(n[0] & 0x1f) : ((n[0] >> 1) & 0x3f) < 32;
    if (vcl) aus.push(cur), cur = [];
  }
  return { nals, aus };
}

export interface MediaSeeds {
  h264: Track;
  h265: Track;
  aac: Track;
  opus: Track;
  pcma: Track;
  pcmu: Track;
  /** A few frames per track: a keyframe first, then deltas. */
  frames: Map<string, Frame[]>;
}

let media: MediaSeeds | undefined;

/** Tracks and frames from formats/rtp/testdata (the RTP and FLV table tests' inputs). */
export function mediaSeeds(): MediaSeeds {
  if (media) return media;
  const v264 = annexB("formats/rtp/testdata/h264_320x240_bframes.h264", "h264");
  const h264 = h264Track(v264.nals.find((n) => (n[0] & 0x1f) === 7)!, [
    v264.nals.find((n) => (n[0] & 0x1f) === 8)!,
  ]);
  const v265 = annexB("formats/rtp/testdata/h265_320x240.h265", "h265");
  const of265 = (t: number) => v265.nals.find((n) => ((n[0] >> 1) & 0x3f) === t)!;
  const h265 = h265Track(of265(32), of265(33), [of265(34)]);
  const aac = aacTrack(buildAsc({ objectType: 2, sampleRate: 48000, channels: 2 }));
  const opus = opusTrack(2), pcma = g711Track("pcma"), pcmu = g711Track("pcmu");
  const video = (track: Track, aus: Uint8Array[][]) =>
    aus.slice(0, 4).map((au, i) => ({
      track,
      dts: i * 3000,
      pts: i * 3000,
      key: i === 0,
      data: joinAvcc(au),
    }));
  const audio = (track: Track, sizes: number[]) =>
    sizes.map((n, i) => ({ track, dts: i * 960, pts: i * 960, key: true, data: pattern(n, i) }));
  media = {
    h264,
    h265,
    aac,
    opus,
    pcma,
    pcmu,
    frames: new Map([
      ["h264", video(h264, v264.aus)],
      ["h265", video(h265, v265.aus)],
      ["aac", audio(aac, [300, 2000, 7])],
      ["opus", audio(opus, [120, 3, 400])],
      ["pcma", audio(pcma, [160, 80])],
      ["pcmu", audio(pcmu, [160, 80])],
    ]),
  };
  return media;
}

function pattern(n: number, salt: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + salt * 7) & 0xff;
  return b;
}
