/** Which tracks HLS and DASH carry (smart_rtmpd's matrix: G.711 streams go out video only). */
import type { AudioTrack, Track, VideoTrack } from "../../core/track.ts";
import { codecString } from "../../codecs/mod.ts";
import type { OutputTracks } from "./writer.ts";

export const HLS_VIDEO_CODECS: readonly string[] = ["h264", "h265", "av1"];
export const HLS_AUDIO_CODECS: readonly string[] = ["aac", "opus", "mp3"];

/** The carried tracks, and those left out (for one log line). */
export function carriedTracks(
  video?: VideoTrack,
  audio?: AudioTrack,
): { tracks: OutputTracks; left: Track[] } {
  const left: Track[] = [];
  const tracks: OutputTracks = {};
  if (video) {
    if (HLS_VIDEO_CODECS.includes(video.codec)) tracks.video = video;
    else left.push(video);
  }
  if (audio) {
    if (HLS_AUDIO_CODECS.includes(audio.codec)) tracks.audio = audio;
    else left.push(audio);
  }
  return { tracks, left };
}

/** H.265, AV1 and Opus need fMP4: players do not take them in MPEG-TS. */
export function needsFmp4(t: OutputTracks): boolean {
  return t.video?.codec === "h265" || t.video?.codec === "av1" || t.audio?.codec === "opus";
}

function describe(t: Track | undefined): string {
  if (!t) return "-";
  const dims = t.kind === "video" ? `${t.width}x${t.height}` : `${t.sampleRate}/${t.channels}`;
  return `${t.codec}:${codecString(t) ?? ""}:${dims}`;
}

/**
 * Whether two track sets describe the same init segment (a repeated sequence header gives a new
 * Track object with the same parameters; a new resolution or an added track does not).
 */
export function sameTracks(a: OutputTracks, b: OutputTracks): boolean {
  return describe(a.video) === describe(b.video) && describe(a.audio) === describe(b.audio);
}
