/** Generated benchmark sources (H264 + AAC, 30 fps, 1 s GOP), cached under .bench/media. */

const DIR = new URL("../.bench/media/", import.meta.url).pathname;

export interface Source {
  label: string;
  file: string;
  /** Measured average bitrate of the file (bits/s, FLV container included). */
  bitrate: number;
}

const PROFILES = {
  "600k": { size: "640x360", vb: "480k", ab: "96k" },
  // 1 Mbit/s of video: WHEP viewers take the video only (no per-stream AAC → Opus transcode measured).
  // No B-frames: the level a browser would play over WebRTC.
  "1m": { size: "640x360", vb: "1000k", ab: "64k", bf: "0" },
  "2m": { size: "1280x720", vb: "1850k", ab: "128k" },
} as const;

export type Profile = keyof typeof PROFILES;

export async function source(profile: Profile, seconds = 60): Promise<Source> {
  const p = PROFILES[profile];
  const file = `${DIR}bench-${profile}-${seconds}s.flv`;
  try {
    Deno.statSync(file);
  } catch {
    await Deno.mkdir(DIR, { recursive: true });
    const args = [
      "-nostdin",
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=${p.size}:rate=30`,
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=1000:sample_rate=44100",
      "-t",
      String(seconds),
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-profile:v",
      "main",
      "-pix_fmt",
      "yuv420p",
      "-b:v",
      p.vb,
      "-maxrate",
      p.vb,
      "-bufsize",
      p.vb,
      "-g",
      "30",
      "-keyint_min",
      "30",
      "-sc_threshold",
      "0",
      "-x264-params",
      "nal-hrd=cbr",
      ...("bf" in p ? ["-bf", p.bf] : []),
      "-c:a",
      "aac",
      "-b:a",
      p.ab,
      "-ar",
      "44100",
      "-ac",
      "2",
      "-f",
      "flv",
      file,
    ];
    const r = await new Deno.Command("ffmpeg", { args, stderr: "piped" }).output();
    if (!r.success) {
      throw new Error(`ffmpeg could not generate ${file}: ${new TextDecoder().decode(r.stderr)}`);
    }
  }
  const size = Deno.statSync(file).size;
  return { label: profile, file, bitrate: (size * 8) / seconds };
}

/**
 * `ffmpeg -re -stream_loop -1 -c copy` of the source to `url` as `format` (flv for RTMP; mpegts for the
 * udp:// and srt:// inputs of the GStreamer peers).
 */
export function publish(src: Source, url: string, format: "flv" | "mpegts" = "flv"): Deno.ChildProcess {
  return new Deno.Command("ffmpeg", {
    args: [
      "-nostdin",
      "-hide_banner",
      "-loglevel",
      "error",
      "-re",
      "-stream_loop",
      "-1",
      "-i",
      src.file,
      "-c",
      "copy",
      "-f",
      format,
      url,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}
