/**
 * Media for RTMP e2e tests that no packaged client can publish over RTMP (HEVC, Opus): encoded
 * by ffmpeg to elementary streams, then cut into Frames for our RtmpClient.
 */
import type { Frame, H265Track, OpusTrack, Track } from "../../src/core/mod.ts";
import {
  av1Track,
  buildAv1c,
  buildVpcc,
  h265Track,
  isAv1Keyframe,
  joinAvcc,
  opusPacketSamples,
  opusTrack,
  parseVp8Frame,
  parseVp9Frame,
  splitAnnexB,
  vp8Track,
  vp9Track,
} from "../../src/codecs/mod.ts";
import { TsDemuxer } from "../../src/formats/mpegts/mod.ts";
import { RtmpClient } from "../../src/protocols/rtmp/mod.ts";
import { run } from "./tools.ts";

/** libx265 Annex B (with access unit delimiters) → HEVC Frames at 30 fps. */
export async function hevcFrames(dir: string, seconds: number, size = "320x240"): Promise<Frame[]> {
  const file = `${dir}/src.hevc`;
  const r = await run("ffmpeg", [
    "-nostdin",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${size}:rate=30`,
    "-t",
    String(seconds),
    "-c:v",
    "libx265",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-x265-params",
    "keyint=30:min-keyint=30:scenecut=0:bframes=0:aud=1:log-level=error",
    "-f",
    "hevc",
    file,
  ], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`ffmpeg libx265 failed: ${r.stderr}`);
  const nals = splitAnnexB(await Deno.readFile(file));
  const units: Uint8Array[][] = [];
  for (const n of nals) {
    const type = (n[0] >> 1) & 0x3f;
    if (type === 35 || units.length === 0) units.push([]);
    if (type !== 35) units[units.length - 1].push(n);
  }
  let track: H265Track | undefined;
  const frames: Frame[] = [];
  for (const au of units) {
    const vps = au.find((n) => ((n[0] >> 1) & 0x3f) === 32);
    const sps = au.find((n) => ((n[0] >> 1) & 0x3f) === 33);
    const pps = au.filter((n) => ((n[0] >> 1) & 0x3f) === 34);
    if (!track && vps && sps && pps.length) track = h265Track(vps, sps, pps);
    const vcl = au.filter((n) => ((n[0] >> 1) & 0x3f) < 32);
    if (!track || vcl.length === 0) continue;
    const key = vcl.some((n) => {
      const t = (n[0] >> 1) & 0x3f;
      return t >= 16 && t <= 23;
    });
    const dts = frames.length * 3000;
    frames.push({ track, dts, pts: dts, key, data: joinAvcc(vcl) });
  }
  return frames;
}

/**
 * VP8, VP9 or AV1 from ffmpeg (`encoder`: its -c:v and options) in an IVF file → Frames at 30 fps,
 * for Enhanced RTMP publishing with our RtmpClient (ffmpeg 5.1's FLV muxer refuses these codecs).
 */
export async function ivfFrames(
  dir: string,
  seconds: number,
  codec: "vp8" | "vp9" | "av1",
  encoder: string[],
  size = "320x240",
): Promise<Frame[]> {
  const file = `${dir}/src_${codec}.ivf`;
  const r = await run("ffmpeg", [
    "-nostdin",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${size}:rate=30`,
    "-t",
    String(seconds),
    ...encoder,
    "-f",
    "ivf",
    file,
  ], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`ffmpeg ${codec} to IVF failed: ${r.stderr}`);
  const b = await Deno.readFile(file);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 32 || String.fromCharCode(...b.subarray(0, 4)) !== "DKIF") {
    throw new Error("not an IVF file");
  }
  const width = v.getUint16(12, true), height = v.getUint16(14, true);
  const frames: Frame[] = [];
  let track: Track | undefined;
  let n = 0;
  for (let o = v.getUint16(6, true); o + 12 <= b.length;) {
    const len = v.getUint32(o, true);
    const data = b.subarray(o + 12, o + 12 + len);
    o += 12 + len;
    let key: boolean;
    if (codec === "av1") {
      key = isAv1Keyframe(data);
      if (key && !track) track = av1Track(buildAv1c(data).bytes, width, height);
    } else if (codec === "vp9") {
      key = parseVp9Frame(data).key;
      track ??= vp9Track(width, height, buildVpcc({ profile: 0 }));
    } else {
      key = parseVp8Frame(data).key;
      track ??= vp8Track(width, height);
    }
    if (!track) continue;
    const t = n++ * 3000;
    frames.push({ track, dts: t, pts: t, key, data });
  }
  return frames;
}

/** libopus in Ogg → Opus Frames (48 kHz clock, timestamps from the sample count). */
export async function opusFrames(dir: string, seconds: number): Promise<Frame[]> {
  const file = `${dir}/src.ogg`;
  const r = await run("ffmpeg", [
    "-nostdin",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
    "-t",
    String(seconds),
    "-c:a",
    "libopus",
    "-b:a",
    "64k",
    "-ac",
    "2",
    file,
  ], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`ffmpeg libopus failed: ${r.stderr}`);
  const packets = oggPackets(await Deno.readFile(file));
  const track: OpusTrack = opusTrack(2, packets[0]);
  const frames: Frame[] = [];
  let samples = 0;
  for (const p of packets.slice(2)) {
    frames.push({ track, dts: samples, pts: samples, key: true, data: p });
    samples += opusPacketSamples(p);
  }
  return frames;
}

/** Packets of an Ogg stream (RFC 3533): segments of 255 continue a packet. */
function oggPackets(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let cur: number[] = [];
  let o = 0;
  while (o + 27 <= b.length) {
    const nseg = b[o + 26];
    const table = b.subarray(o + 27, o + 27 + nseg);
    let p = o + 27 + nseg;
    for (const len of table) {
      for (let i = 0; i < len; i++) cur.push(b[p + i]);
      p += len;
      if (len < 255) {
        out.push(Uint8Array.from(cur));
        cur = [];
      }
    }
    o = p;
  }
  return out;
}

/** Plays frames in real time (paced by dts) through `send`; returns when done. */
export async function paced(frames: Frame[], send: (f: Frame) => Promise<void>, speed = 1): Promise<void> {
  const start = performance.now();
  for (const f of frames) {
    const at = (f.dts / f.track.clockRate) * 1000 / speed;
    const wait = at - (performance.now() - start);
    if (wait > 2) await new Promise((r) => setTimeout(r, wait));
    await send(f);
  }
}

/** Merges video and audio frames in dts order (by time). */
export function interleave(a: Frame[], b: Frame[]): Frame[] {
  const t = (f: Frame) => f.dts / f.track.clockRate;
  return [...a, ...b].sort((x, y) => t(x) - t(y));
}

/**
 * Publishes a TS file's frames with our RtmpClient (Enhanced RTMP: HEVC as hvc1) at real time,
 * for codecs ffmpeg 5.1's FLV muxer refuses.
 */
export async function rtmpPublishTs(
  url: string,
  ts: Uint8Array,
): Promise<{ done: Promise<void>; stop(): void }> {
  const frames: Frame[] = [];
  const d = new TsDemuxer({ onTrack: () => {}, onFrame: (f) => frames.push(f) });
  d.push(ts);
  d.flush();
  const client = await RtmpClient.connect(url);
  await client.publish({ form: "enhanced" });
  let stopped = false;
  const first = frames[0];
  const base = first.dts / first.track.clockRate;
  const done = (async () => {
    const start = Date.now();
    try {
      for (const f of frames) {
        if (stopped || client.closed) break;
        const wait = start + (f.dts / f.track.clockRate - base) * 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await client.write(f);
      }
    } finally {
      await client.stop();
    }
  })();
  return { done, stop: () => stopped = true };
}
