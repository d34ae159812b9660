/**
 * What RTMP can carry to a target. Every server knows the legacy FLV codecs (H.264; AAC, MP3, G.711);
 * HEVC, AV1, VP8/VP9 and Opus need Enhanced RTMP, which a target shows by listing FourCCs in its
 * connect answer (nginx-rtmp does not, Estuary and SRS do).
 */
import type { Track } from "../core/mod.ts";
import type { FlvVideoForm } from "../formats/flv/mod.ts";

export function carriable(track: Track, enhanced: boolean): boolean {
  if (track.kind === "video") return track.codec === "h264" || enhanced;
  return track.codec === "opus" ? enhanced : true;
}

/** H.264 always goes in the legacy form (every server knows it); the rest only to an enhanced target. */
export function publishForm(video: Track | undefined, enhanced: boolean): FlvVideoForm {
  return enhanced && video !== undefined && video.codec !== "h264" ? "enhanced" : "legacy";
}
