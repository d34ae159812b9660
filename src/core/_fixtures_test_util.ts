// Test-only helpers for core unit tests (not exported from mod.ts).
import type { Frame } from "./frame.ts";
import type { AacTrack, H264Track } from "./track.ts";

export const video: H264Track = {
  kind: "video",
  codec: "h264",
  clockRate: 90000,
  width: 640,
  height: 360,
  fps: 30,
  sps: new Uint8Array([0x67, 0x64, 0, 0x1f]),
  pps: [new Uint8Array([0x68])],
  profile: 0x64,
  compat: 0,
  level: 0x1f,
};

export const audio: AacTrack = {
  kind: "audio",
  codec: "aac",
  clockRate: 44100,
  sampleRate: 44100,
  channels: 2,
  config: new Uint8Array([0x12, 0x10]),
  objectType: 2,
};

/** Video frame n at 30 fps; every `gop`-th frame is a keyframe. */
export function vframe(n: number, gop = 30, size = 100): Frame {
  return {
    track: video,
    dts: n * 3000,
    pts: n * 3000,
    key: n % gop === 0,
    data: new Uint8Array(size).fill(n & 0xff),
  };
}

export function aframe(n: number, size = 20): Frame {
  return { track: audio, dts: n * 1024, pts: n * 1024, key: true, data: new Uint8Array(size) };
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
