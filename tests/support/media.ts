import { type Background, run, spawnBackground } from "./tools.ts";

/** Test sources from TESTING.md: no media files needed. */
export const SRC = (seconds: number, size = "640x360", rate = 30) => [
  "-f",
  "lavfi",
  "-i",
  `testsrc2=size=${size}:rate=${rate}`,
  "-f",
  "lavfi",
  "-i",
  "sine=frequency=1000:sample_rate=48000",
  "-t",
  String(seconds),
];
export const H264B = [
  "-c:v",
  "libx264",
  "-profile:v",
  "baseline",
  "-preset",
  "veryfast",
  "-tune",
  "zerolatency",
  "-pix_fmt",
  "yuv420p",
  "-g",
  "30",
  "-keyint_min",
  "30",
  "-sc_threshold",
  "0",
  "-bf",
  "0",
];
export const H264H = [
  "-c:v",
  "libx264",
  "-profile:v",
  "high",
  "-preset",
  "veryfast",
  "-pix_fmt",
  "yuv420p",
  "-g",
  "30",
  "-keyint_min",
  "30",
  "-sc_threshold",
  "0",
  "-bf",
  "2",
];
export const H265 = [
  "-c:v",
  "libx265",
  "-preset",
  "ultrafast",
  "-pix_fmt",
  "yuv420p",
  "-x265-params",
  "keyint=30:min-keyint=30:scenecut=0:bframes=0:log-level=error",
];
/**
 * libvpx in real time (`libvpx` for VP8, `libvpx-vp9`): a keyframe every second, no look-ahead (no
 * hidden alt-ref frames), a WebRTC-friendly encode.
 */
export function libvpx(encoder: "libvpx" | "libvpx-vp9"): string[] {
  return [
    "-c:v",
    encoder,
    "-deadline",
    "realtime",
    "-cpu-used",
    "8",
    "-lag-in-frames",
    "0",
    "-b:v",
    "600k",
    "-g",
    "30",
    "-pix_fmt",
    "yuv420p",
  ];
}
export const VP8 = libvpx("libvpx");
export const AAC = ["-c:a", "aac", "-b:a", "128k", "-ar", "44100", "-ac", "2"];
export const OPUS = ["-c:a", "libopus", "-b:a", "64k", "-ar", "48000", "-ac", "2"];
export const PCMA = ["-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1"];
export const PCMU = ["-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1"];

/** Starts `ffmpeg -re <source> <codecs> -f <format> <url>` in the background. */
export function ffmpegPublish(opts: {
  url: string;
  format: string;
  seconds: number;
  video?: string[];
  audio?: string[];
  extra?: string[];
  size?: string;
}): Background {
  const args = [
    "-nostdin",
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    ...SRC(opts.seconds, opts.size),
    ...(opts.video ?? H264B),
    ...(opts.audio ?? AAC),
    ...(opts.extra ?? []),
    "-f",
    opts.format,
    opts.url,
  ];
  return spawnBackground("ffmpeg", args);
}

/**
 * Decodes up to `frames` video frames (default: until the stream ends) from a URL and returns how
 * many were decoded (the last `frame=N` line of ffmpeg's -progress output). `copy` counts packets
 * without decoding (cheap, for many players).
 */
export async function decodedFrames(url: string, opts: {
  frames?: number;
  timeoutMs: number;
  inputArgs?: string[];
  stdin?: ReadableStream<Uint8Array>;
  copy?: boolean;
}): Promise<{ frames: number; stderr: string; code: number }> {
  const input = opts.stdin ? ["-f", "flv", "-i", "-"] : ["-i", url];
  const r = await run("ffmpeg", [
    "-nostdin",
    "-nostats",
    "-hide_banner",
    "-loglevel",
    "error",
    ...(opts.inputArgs ?? []),
    ...input,
    "-map",
    "0:v:0",
    ...(opts.copy ? ["-c", "copy"] : []),
    ...(opts.frames ? ["-frames:v", String(opts.frames)] : []),
    "-f",
    "null",
    "-",
    "-progress",
    "pipe:1",
  ], { timeoutMs: opts.timeoutMs, stdin: opts.stdin });
  const m = [...r.stdout.matchAll(/^frame=(\d+)/gm)].pop();
  return { frames: m ? Number(m[1]) : 0, stderr: r.stderr, code: r.code };
}

export interface ProbeStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  avg_frame_rate?: string;
  has_b_frames?: number;
}

/** `ffprobe -show_streams -show_format` as JSON. */
export async function ffprobeJson(url: string, opts: { timeoutMs: number; inputArgs?: string[] }): Promise<{
  streams: ProbeStream[];
  format?: Record<string, unknown>;
}> {
  const r = await run("ffprobe", [
    "-v",
    "error",
    ...(opts.inputArgs ?? []),
    "-show_streams",
    "-show_format",
    "-of",
    "json",
    url,
  ], { timeoutMs: opts.timeoutMs });
  if (r.code !== 0) throw new Error(`ffprobe ${url} failed (code ${r.code}): ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout);
}

/** A self-signed certificate Deno accepts (leaf, not CA, with SANs for 127.0.0.1 and localhost). */
export async function makeTestCert(
  dir: string,
): Promise<{ cert: string; key: string; certFile: string; keyFile: string }> {
  const certFile = `${dir}/cert.pem`, keyFile = `${dir}/key.pem`;
  const r = await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-keyout",
    keyFile,
    "-out",
    certFile,
    "-addext",
    "basicConstraints=critical,CA:FALSE",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ], { timeoutMs: 20000 });
  if (r.code !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return {
    cert: await Deno.readTextFile(certFile),
    key: await Deno.readTextFile(keyFile),
    certFile,
    keyFile,
  };
}

/** Makes a media file with ffmpeg from TESTING.md's sources (`codecs`: e.g. H265 + AAC, `format`: mpegts). */
export async function makeMedia(path: string, opts: {
  seconds: number;
  codecs: string[];
  format: string;
  size?: string;
}): Promise<Uint8Array> {
  const r = await run("ffmpeg", [
    "-nostdin",
    "-hide_banner",
    "-loglevel",
    "error",
    ...SRC(opts.seconds, opts.size),
    ...opts.codecs,
    "-f",
    opts.format,
    "-y",
    path,
  ], { timeoutMs: 90_000 });
  if (r.code !== 0) throw new Error(`ffmpeg could not make ${path}: ${r.stderr}`);
  return await Deno.readFile(path);
}

/** An MPEG-TS file (`codecs`: e.g. H265 + AAC). */
export function makeTs(path: string, seconds: number, codecs: string[], size?: string): Promise<Uint8Array> {
  return makeMedia(path, { seconds, codecs, format: "mpegts", size });
}

/** An FLV file: H264 High with B-frames + AAC. */
export function makeFlv(path: string, seconds: number, size?: string): Promise<Uint8Array> {
  return makeMedia(path, { seconds, codecs: [...H264H, ...AAC], format: "flv", size });
}

/** `frame,1,I` when the first video frame of the file is a keyframe. */
export async function firstFrame(path: string): Promise<string> {
  const r = await run("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_frames",
    "-read_intervals",
    "%+#1",
    "-show_entries",
    "frame=key_frame,pict_type",
    "-of",
    "csv",
    path,
  ], { timeoutMs: 10_000 });
  return r.stdout.trim().split("\n")[0] ?? "";
}

/**
 * How many frames a player must get: `share` of what the source delivered in the same run, at most
 * `cap`. On a loaded machine (test files run in parallel) an `-re` source may deliver fewer frames
 * than it was asked for; a player is held to what there was to get, never to a count tuned idle.
 */
export function needed(delivered: number, share: number, cap = Infinity): number {
  return Math.floor(Math.min(cap, delivered * share));
}
