/**
 * Which of a stream's tracks a segmented output (HLS, DASH, a recording) carries. smart_rtmpd's
 * matrix (HLS and DASH players take H.264, H.265 and AV1 video and AAC, Opus and MP3 audio) plus VP8
 * and VP9 (a WHIP or Enhanced RTMP source), which go out in fMP4 (vp08/vp09); a G.711 track is left
 * out, so a G.711 stream goes out video only.
 */
import type { AudioTrack, Track, VideoTrack } from "../../core/track.ts";
import { codecString } from "../../codecs/mod.ts";

export const SEGMENT_VIDEO_CODECS: readonly string[] = ["h264", "h265", "av1", "vp8", "vp9"];
export const SEGMENT_AUDIO_CODECS: readonly string[] = ["aac", "opus", "mp3"];

/** The tracks a segmented output carries. */
export interface OutputTracks {
  video?: VideoTrack;
  audio?: AudioTrack;
}

/** A track left out, and why (for one log line per output). */
export interface LeftOutTrack {
  track: Track;
  why: string;
}

/** What a stream offers (a Stream has both getters). */
export interface TrackSource {
  readonly videoTrack: VideoTrack | undefined;
  readonly audioTrack: AudioTrack | undefined;
}

/** The carried tracks of `source`, and those left out with the reason. */
export function outputTracks(source: TrackSource): { tracks: OutputTracks; left: LeftOutTrack[] } {
  const tracks: OutputTracks = {};
  const left: LeftOutTrack[] = [];
  for (const track of [source.videoTrack, source.audioTrack]) {
    if (!track) continue;
    const video = track.kind === "video";
    const codecs = video ? SEGMENT_VIDEO_CODECS : SEGMENT_AUDIO_CODECS;
    if (!codecs.includes(track.codec)) {
      const rest = video ? "audio" : "video";
      left.push({
        track,
        why: `segmented outputs carry ${codecs.join(", ")} ${track.kind}: this stream goes out ${rest} only`,
      });
    } else if (track.kind === "video") tracks.video = track;
    else tracks.audio = track;
  }
  return { tracks, left };
}

/** True when the output would carry nothing. */
export function isEmpty(t: OutputTracks): boolean {
  return t.video === undefined && t.audio === undefined;
}

/** The primary track kind: segments are cut on video keyframes when there is video. */
export function primaryKind(t: OutputTracks): "video" | "audio" {
  return t.video ? "video" : "audio";
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
  // The same Track objects (every poll of a playing stream): no strings to build.
  if (a.video === b.video && a.audio === b.audio) return true;
  return describe(a.video) === describe(b.video) && describe(a.audio) === describe(b.audio);
}
